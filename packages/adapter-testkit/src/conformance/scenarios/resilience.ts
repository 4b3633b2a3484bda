import { expect } from 'vitest';
import { sleep, waitFor, withTimeout } from '../../wait-for.js';
import { listeningServers, type Scenario, type ScenarioRun, uniqueToken } from '../scenario.js';
import type { ConformanceHarness } from '../types.js';

/** Timer granularity: a retry scheduled for exactly N ms may be stamped a few ms early. */
const CLOCK_SLACK_MS = 50;

function countText(harness: ConformanceHarness, token: string): number {
  return harness.context.received.filter((m) => m.text.includes(token)).length;
}

export const startOnline: Scenario = {
  id: 'start-online',
  title: 'start() resolves once online and reports it through ctx.status',
  async run({ harness }) {
    const statuses = harness.context.statuses;
    expect(statuses, 'start() resolved, so ctx.status("online") must have been reported').toContain('online');
    expect(statuses.at(-1), 'the last status after start() must be "online"').toBe('online');
  },
};

export const reconnect: Scenario = {
  id: 'reconnect',
  title: 'connection dropped by the server: reconnecting, online again, nothing lost or duplicated',
  unsupported: (_caps, driver) =>
    driver.serverConnection === false
      ? 'driver.serverConnection is false (the adapter holds no server connection)'
      : undefined,
  async run(s) {
    const { harness, timeouts } = s;
    expect(
      harness.dropConnection,
      'the harness must implement dropConnection() (or set driver.serverConnection: false)',
    ).toBeTypeOf('function');
    const before = `sent before the drop ${uniqueToken('rb')}`;
    await harness.deliverDm(before);
    await harness.context.waitForReceived((m) => m.text.includes(before), timeouts.receiveMs);

    const mark = harness.context.statuses.length;
    await harness.dropConnection!();
    await waitFor(
      () => {
        const after = harness.context.statuses.slice(mark);
        const reconnecting = after.indexOf('reconnecting');
        return reconnecting >= 0 && after.indexOf('online', reconnecting + 1) > reconnecting;
      },
      {
        timeoutMs: timeouts.reconnectMs,
        what: 'ctx.status to go "reconnecting" and then "online" after the drop',
      },
    );

    const after = `sent after the reconnect ${uniqueToken('ra')}`;
    await harness.deliverDm(after);
    await harness.context.waitForReceived((m) => m.text.includes(after), timeouts.receiveMs);
    await sleep(timeouts.settleMs);
    expect(countText(harness, after), 'the DM sent after the reconnect must be received exactly once').toBe(
      1,
    );
    expect(countText(harness, before), 'the DM received before the drop must not be received again').toBe(1);
  },
};

/** When the 429 and its retry reached the fake: from the harness hook, or from the fake's fault log. */
async function rateLimitTimes(
  harness: ConformanceHarness,
): Promise<{ limitedAt: number; retriedAt: number }> {
  if (harness.rateLimitObservation) {
    const seen = await harness.rateLimitObservation();
    if (seen === undefined) throw new Error('rateLimitObservation() saw no rate-limited send and retry');
    return seen;
  }
  const fake = harness.fake;
  if (fake === undefined) {
    throw new Error(
      'the harness must expose `fake` or implement rateLimitObservation() so the suite can time the retry',
    );
  }
  const applied = fake.faults.applied.filter((a) => a.fault.kind === 'rate-limit');
  const limited = applied.at(-1)?.request;
  if (limited === undefined) {
    throw new Error(
      'rateLimitNextSend() did not make the fake answer 429: no rate-limit fault was applied to any request',
    );
  }
  const index = fake.requests.indexOf(limited);
  const retry = fake.requests
    .slice(index + 1)
    .find((r) => r.method === limited.method && r.path === limited.path && r.fault === undefined);
  if (retry === undefined)
    throw new Error(`the adapter never retried ${limited.method} ${limited.path} after the 429`);
  return { limitedAt: limited.receivedAt, retriedAt: retry.receivedAt };
}

export const rateLimit: Scenario = {
  id: 'rate-limit',
  title: '429 with retry_after: the retry waits at least retry_after and the message lands once',
  async run(s) {
    const { harness, timeouts } = s;
    const retryAfterSeconds = 1;
    harness.rateLimitNextSend(retryAfterSeconds);
    const text = `after a rate limit ${uniqueToken('rl')}`;
    const result = await withTimeout(
      harness.adapter.send(harness.chats.dm, { text }),
      retryAfterSeconds * 1000 + timeouts.receiveMs,
      'adapter.send() through a 429',
    );
    if (!result.ok)
      throw new Error(`send through a 429 failed: ${result.error.code}: ${result.error.message}`);
    const landed = (await harness.sentMessages()).filter((m) => m.text?.includes(text));
    expect(landed, 'the message must be delivered exactly once').toHaveLength(1);
    const { limitedAt, retriedAt } = await rateLimitTimes(harness);
    expect(
      retriedAt - limitedAt,
      `the retry came ${retriedAt - limitedAt} ms after the 429; retry_after asked for ${retryAfterSeconds * 1000} ms`,
    ).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - CLOCK_SLACK_MS);
  },
};

export const malformed: Scenario = {
  id: 'malformed',
  title: 'malformed frames and payloads: logged as warn/error, the adapter keeps going',
  async run(s) {
    const { harness, timeouts } = s;
    const logger = harness.context.logger;
    const warnedBefore = logger.find('warn').length;
    await harness.deliverMalformed();
    await waitFor(() => logger.find('warn').length > warnedBefore, {
      timeoutMs: timeouts.receiveMs,
      what: 'a warn or error log entry about the malformed input',
    });
    const text = `still alive after garbage ${uniqueToken('ml')}`;
    await harness.deliverDm(text);
    await harness.context.waitForReceived((m) => m.text.includes(text), timeouts.receiveMs);
    await sleep(timeouts.settleMs);
    const texts = harness.context.received.map((m) => m.text);
    expect(texts, 'malformed input must not become a message; only the valid DM arrives').toHaveLength(1);
    expect(harness.context.statuses, 'malformed input must not fail the adapter').not.toContain('failed');
  },
};

async function connectionCounters(
  harness: ConformanceHarness,
): Promise<{ open(): Promise<number>; total(): Promise<number> }> {
  const fake = harness.fake;
  const open = harness.openConnections ?? (fake ? () => fake.sockets.size : undefined);
  const total = harness.totalConnections ?? (fake ? () => fake.connectionCount : undefined);
  if (open === undefined || total === undefined) {
    throw new Error('the harness must expose `fake` or implement openConnections() and totalConnections()');
  }
  return { open: async () => open(), total: async () => total() };
}

export const cleanStop: Scenario = {
  id: 'clean-stop',
  title: 'stop() leaves no connection or server open and does not reconnect afterwards',
  async run(s: ScenarioRun) {
    const { harness, timeouts } = s;
    const counters = await connectionCounters(harness);
    await s.stopAdapter();
    await waitFor(async () => (await counters.open()) === 0, {
      timeoutMs: timeouts.receiveMs,
      what: 'every adapter connection to the fake to close after stop()',
    });
    await waitFor(() => listeningServers() <= s.listenersBeforeStart, {
      timeoutMs: timeouts.receiveMs,
      what: `listening servers to drop back to ${s.listenersBeforeStart} (the count before start()) after stop()`,
    });
    const totalAfterStop = await counters.total();
    const requestsAfterStop = harness.fake?.requests.length;
    await sleep(Math.max(timeouts.settleMs * 2, 1_500));
    expect(await counters.total(), 'the adapter opened a new connection after stop()').toBe(totalAfterStop);
    if (requestsAfterStop !== undefined) {
      expect(harness.fake!.requests.length, 'the adapter made HTTP requests after stop()').toBe(
        requestsAfterStop,
      );
    }
    expect(listeningServers(), 'a listening server appeared after stop()').toBeLessThanOrEqual(
      s.listenersBeforeStart,
    );
  },
};
