import { createServer, type Server } from 'node:http';
import { type AdapterContext, AdapterError, serveForAdapter } from '@hermes/adapter-core';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter } from './support/memory-adapter.js';

/** Serves HTTP like the API server and webhook adapters: binds through core's serveForAdapter. */
class ListeningAdapter extends MemoryAdapter {
  starts = 0;
  private server: Server | undefined;
  constructor(
    platform: string,
    private readonly host: string,
    private readonly port: number,
  ) {
    super(platform);
  }
  override async start(ctx: AdapterContext): Promise<void> {
    this.starts++;
    const server = createServer((_req, res) => res.end('ok'));
    this.server = server;
    await serveForAdapter(server, ctx, {
      platform: this.platform,
      host: this.host,
      port: this.port,
      hostEnv: 'TEST_HOST',
      portEnv: 'TEST_PORT',
      onAbort: () => server.close(),
    });
    await super.start(ctx);
  }
  override async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server?.listening) await new Promise<void>((r) => server.close(() => r()));
    await super.stop();
  }
}

/** Refuses its credentials the way a platform does: an AdapterError that says retrying cannot help. */
class RefusedAdapter extends MemoryAdapter {
  starts = 0;
  override async start(): Promise<void> {
    this.starts++;
    throw new AdapterError('auth_failed', 'the platform refused the token', {
      platform: this.platform,
      fix: 'set REFUSED_TOKEN to the token from the platform console',
    });
  }
}

let h: Harness | undefined;
const blockers: Server[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const s of blockers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

async function occupiedPort(): Promise<number> {
  const server = createServer();
  blockers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

const restartsOf = (h: Harness, platform: string) =>
  h.logger.find('warn', 'platform will be restarted').filter((e) => e.fields.platform === platform);

describe('adapter supervision: errors no retry can fix', () => {
  it('stops a platform whose credentials are refused, with a clear log line, while retrying a retryable one', async () => {
    const refused = new RefusedAdapter('refused');
    // A port in use is retryable (the other process may go away): it keeps the backoff.
    const busy = new ListeningAdapter('busy', '127.0.0.1', await occupiedPort());
    h = await startHarness({ extraAdapters: [refused, busy] });
    // Three restarts of the busy one prove several retry windows have passed.
    await waitFor(() => busy.starts >= 3, 'the busy platform retried', 5000);
    expect(refused.starts).toBe(1);
    expect(restartsOf(h, 'refused')).toEqual([]);
    const [stopped] = h.logger.find('error', 'platform stopped: this error is not retried');
    expect(stopped?.fields).toMatchObject({ platform: 'refused', code: 'auth_failed' });
    expect(String(stopped?.fields.error)).toContain('Fix: set REFUSED_TOKEN');
    const statuses = h.host.runtime.platformStatuses();
    expect(statuses.find((p) => p.platform === 'refused')?.stoppedForGood?.code).toBe('auth_failed');
    expect(statuses.find((p) => p.platform === 'busy')?.stoppedForGood).toBeUndefined();
    expect(statuses.find((p) => p.platform === 'refused')?.status).toBe('failed');
    // The healthy platform is untouched.
    h.fake.script(step.text('still serving'));
    h.adapter.inject({ text: 'hello' });
    await waitFor(() => h!.adapter.texts().includes('still serving'), 'reply on the healthy platform');
  });

  it('does not retry a refused bind (an address that is not this machine), though the adapter reported failed first', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737), never a local address: the bind fails at once and sends nothing.
    const unbindable = new ListeningAdapter('unbindable', '192.0.2.1', 0);
    const busy = new ListeningAdapter('busy', '127.0.0.1', await occupiedPort());
    h = await startHarness({ extraAdapters: [unbindable, busy] });
    await waitFor(() => busy.starts >= 3, 'the busy platform retried', 5000);
    expect(unbindable.starts).toBe(1);
    expect(restartsOf(h, 'unbindable')).toEqual([]);
    const stopped = h.host.runtime.platformStatuses().find((p) => p.platform === 'unbindable');
    expect(stopped?.stoppedForGood).toMatchObject({ code: 'config_invalid', retryable: false });
    expect(restartsOf(h, 'busy').length).toBeGreaterThanOrEqual(2);
    expect(String(restartsOf(h, 'busy')[0]?.fields.reason)).toContain('EADDRINUSE');
  });
});
