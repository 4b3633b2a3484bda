import { describe, expect, it } from 'vitest';
import type { EchoChatDefects } from '../../test/reference/echo-chat-adapter.js';
import { createEchoChatDriver, setupEchoChat } from '../../test/reference/echo-chat-driver.js';
import { runConformanceScenario } from './run-conformance-suite.js';
import type { ConformanceDriver } from './types.js';

/** Short waits: these runs are expected to fail, so do not sit out the full default timeouts. */
const FAST = { receiveMs: 1_500, settleMs: 400, reconnectMs: 5_000 };

function broken(defects: EchoChatDefects): ConformanceDriver {
  return { ...createEchoChatDriver('echo-chat (broken)', { defects }), timeouts: FAST };
}

describe('the conformance suite catches a defective adapter', () => {
  it('redelivered messages handed to the host twice after a reconnect', async () => {
    await expect(
      runConformanceScenario(broken({ noAck: true, noDedupe: true }), 'reconnect'),
    ).rejects.toThrow(/received before the drop must not be received again/);
  });

  it('passes the same platform redelivery when the adapter dedupes', async () => {
    await expect(runConformanceScenario(broken({ noAck: true }), 'reconnect')).resolves.toEqual({
      status: 'passed',
    });
  });

  it('a retry that ignores retry_after', async () => {
    await expect(runConformanceScenario(broken({ ignoreRetryAfter: true }), 'rate-limit')).rejects.toThrow(
      /retry_after asked for 1000 ms/,
    );
  });

  it('a long reply sent without splitting', async () => {
    await expect(runConformanceScenario(broken({ noSplit: true }), 'long-reply-split')).rejects.toThrow(
      /text_too_long/,
    );
  });

  it('a capability flag that does not match the method', async () => {
    await expect(runConformanceScenario(broken({ hideEditFlag: true }), 'edit')).rejects.toThrow(
      /capabilities.edit is false but adapter.edit exists/,
    );
  });

  it('a second start() that connects again instead of refusing', async () => {
    await expect(
      runConformanceScenario(broken({ restartsOnSecondStart: true }), 'lifecycle-errors'),
    ).rejects.toThrow(/a second start\(\) must reject with an AdapterError/);
  });

  it('a token readable from a public field', async () => {
    await expect(runConformanceScenario(broken({ publicConfig: true }), 'contract-members')).rejects.toThrow(
      /a secret of the adapter is readable from its fields/,
    );
  });

  it('an adapter without liveness()', async () => {
    await expect(runConformanceScenario(broken({ noLiveness: true }), 'contract-members')).rejects.toThrow(
      /adapter.liveness\(\) must exist/,
    );
  });

  it('a stop() that leaves the connection open', async () => {
    await expect(runConformanceScenario(broken({ stopDoesNothing: true }), 'clean-stop')).rejects.toThrow(
      /every adapter connection to the fake to close after stop\(\)/,
    );
  });

  it('a driver whose declared capabilities differ from the adapter', async () => {
    const driver = createEchoChatDriver('echo-chat (mismatch)');
    const declared = { ...driver.capabilities!, maxMessageLength: 9999 };
    await expect(
      runConformanceScenario({ ...driver, capabilities: declared }, 'capabilities'),
    ).rejects.toThrow(/adapter.capabilities must equal driver.capabilities/);
  });

  it('a harness that claims threads but cannot deliver into one', async () => {
    const driver: ConformanceDriver = {
      name: 'echo-chat (no thread hook)',
      timeouts: FAST,
      setup: async () => {
        const harness = await setupEchoChat({});
        delete harness.deliverThread;
        return harness;
      },
    };
    await expect(runConformanceScenario(driver, 'thread-reply')).rejects.toThrow(
      /must implement deliverThread\(\)/,
    );
  });

  it('reports a scenario the capabilities rule out as skipped, with the reason', async () => {
    const driver = createEchoChatDriver('echo-chat (no media)', { features: { media: false } });
    await expect(runConformanceScenario(driver, 'media-in')).resolves.toEqual({
      status: 'skipped',
      reason: 'capabilities.media.receive is empty',
    });
  });
});
