import { createServer } from 'node:http';
import { createTestContext } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { createSmsAdapter } from './adapter.js';
import { startFakeTwilio } from './testing/index.js';

describe('probe()', () => {
  it('checks the credentials with one REST call and names the account', async () => {
    const fake = await startFakeTwilio({ friendlyName: 'Ada Bot' });
    try {
      const adapter = createSmsAdapter({
        accountSid: fake.accountSid,
        authToken: fake.authToken,
        phoneNumber: fake.phoneNumber,
        apiBase: fake.url,
      });
      expect(await adapter.probe()).toEqual({
        ok: true,
        identity: 'Ada Bot',
        detail: `sending from ${fake.phoneNumber}`,
      });
      const wrong = createSmsAdapter({
        accountSid: fake.accountSid,
        authToken: 'not-the-token',
        phoneNumber: fake.phoneNumber,
        apiBase: fake.url,
      });
      const result = await wrong.probe();
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('auth_failed');
        expect(result.error.message).toContain('Twilio error 20003');
        expect(result.fix).toContain('TWILIO_AUTH_TOKEN');
      }
      expect(fake.server.requests.map((r) => r.path)).toEqual([
        `/2010-04-01/Accounts/${fake.accountSid}.json`,
        `/2010-04-01/Accounts/${fake.accountSid}.json`,
      ]);
    } finally {
      await fake.close();
    }
  });

  it('an unreachable API is a network error that names TWILIO_API_BASE', async () => {
    const adapter = createSmsAdapter({
      accountSid: `AC${'1'.repeat(32)}`,
      authToken: 'tok',
      phoneNumber: '+15005550006',
      apiBase: 'http://127.0.0.1:1',
    });
    const result = await adapter.probe();
    expect(result).toMatchObject({ ok: false, error: { code: 'network' } });
    if (!result.ok) expect(result.fix).toContain('TWILIO_API_BASE');
  });
});

describe('start()', () => {
  it('a port already in use fails start() with address_in_use naming SMS_WEBHOOK_PORT, and nothing is left open', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const context = createTestContext();
    try {
      const adapter = createSmsAdapter({
        accountSid: `AC${'1'.repeat(32)}`,
        authToken: 'tok',
        phoneNumber: '+15005550006',
        webhookPort: port,
      });
      const error = await adapter.start(context.ctx).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'address_in_use' });
      expect((error as { fix?: string }).fix).toContain('SMS_WEBHOOK_PORT');
      expect(context.statuses).toContain('failed');
      const send = await adapter.send(
        { platform: 'sms', chatId: '+15551230000', chatType: 'dm' },
        { text: 'x' },
      );
      expect(send).toMatchObject({ ok: false, error: { code: 'not_connected' } });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      await context.cleanup();
    }
  });
});
