import { type AdapterContext, AdapterError } from '@hermes/adapter-core';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter } from './support/memory-adapter.js';

/** Fails to start a few times, then comes up; later reports a drop. */
class FlakyAdapter extends MemoryAdapter {
  starts = 0;
  constructor(private readonly failures: number) {
    super('flaky');
  }
  override async start(ctx: AdapterContext): Promise<void> {
    this.starts++;
    if (this.starts <= this.failures)
      throw new AdapterError('network', `cannot reach the platform (try ${this.starts})`);
    await super.start(ctx);
  }
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('adapter supervision', () => {
  it('retries an adapter that fails to start while the others keep serving', async () => {
    const flaky = new FlakyAdapter(2);
    h = await startHarness({ extraAdapters: [flaky], env: { FLAKY_ALLOWED_USERS: 'user-1' } });
    h.fake.script(step.text('still here'));
    h.adapter.inject({ text: 'are you up?' });
    await waitFor(() => h!.adapter.texts().includes('still here'), 'reply from the healthy adapter');
    await waitFor(() => flaky.starts >= 3 && flaky.ctx, 'flaky adapter restarted', 5000);
    expect(h.logger.find('warn', 'platform will be restarted').length).toBeGreaterThanOrEqual(2);
    h.fake.script(step.text('flaky works now'));
    flaky.inject({ text: 'hello flaky' });
    await waitFor(() => flaky.texts().includes('flaky works now'), 'reply on the recovered adapter');
  });

  it('restarts an adapter that reports failure after it was online', async () => {
    const flaky = new FlakyAdapter(0);
    h = await startHarness({ extraAdapters: [flaky] });
    await waitFor(() => flaky.ctx, 'online');
    flaky.ctx!.status('failed', 'socket closed by the platform');
    await waitFor(() => flaky.starts >= 2, 'restart after failure', 5000);
    expect(h.host.runtime.platformStatuses().find((p) => p.platform === 'flaky')?.status).toBe('online');
  });
});
