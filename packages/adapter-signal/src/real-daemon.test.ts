import { isLoopbackHost } from '@hermes/adapter-core';
import { createTestContext } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { createSignalAdapter } from './adapter.js';

/**
 * Against a real `signal-cli daemon --http` on this machine. signal-cli is not packaged for Debian and needs
 * a registered (or linked) account, so this only runs when SIGNAL_TEST_HTTP_URL (a loopback URL) and
 * SIGNAL_TEST_ACCOUNT point at one.
 */
const url = process.env['SIGNAL_TEST_HTTP_URL'];
const account = process.env['SIGNAL_TEST_ACCOUNT'];
const loopback = url !== undefined && URL.canParse(url) && isLoopbackHost(new URL(url).hostname);
const why =
  url === undefined || account === undefined
    ? 'no signal-cli daemon: set SIGNAL_TEST_HTTP_URL=http://127.0.0.1:8080 and SIGNAL_TEST_ACCOUNT'
    : 'SIGNAL_TEST_HTTP_URL must be a loopback URL';

const have = loopback && account !== undefined;
const title = 'signal against a real signal-cli daemon';

describe.skipIf(!have)(have ? title : `${title} (skipped: ${why})`, () => {
  it('probe() names the account, start() goes online, stop() closes the stream', async () => {
    const adapter = createSignalAdapter({ httpUrl: url!, account: account! });
    const probe = await adapter.probe();
    expect(probe).toMatchObject({ ok: true, identity: expect.stringContaining(account!) });
    const context = createTestContext();
    try {
      await adapter.start(context.ctx);
      expect(context.statuses.at(-1)).toBe('online');
    } finally {
      await adapter.stop();
      await context.cleanup();
    }
  });
});
