import { request } from 'node:http';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTelegramConfig } from '../src/index.js';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const SECRET = 'webhook-secret_0123456789';

function post(
  port: number,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        timeout: 5_000,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function startWebhook(): Promise<TelegramHarness> {
  h = await createHarness({
    config: {
      webhook: { url: 'https://bot.example.test/tg/hook', secret: SECRET, host: '127.0.0.1', port: 0 },
    },
  });
  await h.adapter.start(h.context.ctx);
  h.fake.forwardWebhookTo(`http://127.0.0.1:${h.adapter.webhookPort}`);
  return h;
}

describe('webhook mode (TELEGRAM_WEBHOOK_URL)', () => {
  it('registers the webhook with its secret and receives updates Telegram posts', async () => {
    const t = await startWebhook();
    const set = t.fake.callsTo('setWebhook')[0]!;
    expect(set.params).toMatchObject({ url: 'https://bot.example.test/tg/hook', secret_token: SECRET });
    expect(t.fake.callsTo('getUpdates')).toHaveLength(0);
    expect(t.fake.callsTo('deleteWebhook')).toHaveLength(0);
    t.fake.sendText({ chat: t.fake.aliceDm, from: t.fake.alice, text: 'through the webhook' });
    const msg = await t.context.waitForReceived((m) => m.text === 'through the webhook');
    expect(msg.chat.chatType).toBe('dm');
    await waitFor(() => t.fake.pendingUpdates === 0, { what: 'the update confirmed by a 2xx' });
    expect(t.fake.webhookDeliveries.map((d) => d.status)).toEqual([200]);
    expect(t.context.statuses.at(-1)).toBe('online');
  });

  it('refuses a missing or wrong secret token, wrong paths and bodies that are not JSON', async () => {
    const t = await startWebhook();
    const port = t.adapter.webhookPort!;
    const update = JSON.stringify({
      update_id: 42,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 1001, type: 'private' },
        from: t.fake.alice,
        text: 'forged',
      },
    });
    expect(await post(port, '/tg/hook', update)).toBe(401);
    expect(await post(port, '/tg/hook', update, { 'x-telegram-bot-api-secret-token': 'wrong' })).toBe(401);
    expect(await post(port, '/tg/hook', update, { 'x-telegram-bot-api-secret-token': `${SECRET}x` })).toBe(
      401,
    );
    expect(await post(port, '/elsewhere', update, { 'x-telegram-bot-api-secret-token': SECRET })).toBe(404);
    expect(await post(port, '/tg/hook', '{"update_id":', { 'x-telegram-bot-api-secret-token': SECRET })).toBe(
      400,
    );
    await sleep(100);
    expect(t.context.received).toHaveLength(0);
    expect(t.context.logger.find('warn', 'wrong secret token')).toHaveLength(3);
    // The right secret goes through; the same update delivered again is recognised.
    expect(await post(port, '/tg/hook', update, { 'x-telegram-bot-api-secret-token': SECRET })).toBe(200);
    expect(await post(port, '/tg/hook', update, { 'x-telegram-bot-api-secret-token': SECRET })).toBe(200);
    expect(t.context.received.map((m) => m.text)).toEqual(['forged']);
  });

  it('stop() closes the server', async () => {
    const t = await startWebhook();
    const port = t.adapter.webhookPort!;
    await t.adapter.stop();
    await expect(post(port, '/tg/hook', '{}', { 'x-telegram-bot-api-secret-token': SECRET })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('config: a webhook needs a secret, and a non-loopback bind needs a long one', () => {
    const base = { token: '1:abc', webhook: { url: 'https://x.example/hook' } };
    expect(() => parseTelegramConfig(base)).toThrow(/webhook.secret/);
    expect(() =>
      parseTelegramConfig({ ...base, webhook: { ...base.webhook, secret: 'short', host: '0.0.0.0' } }),
    ).toThrow(/at least 16 characters/);
    expect(
      parseTelegramConfig({ ...base, webhook: { ...base.webhook, secret: 'short' } }).webhook,
    ).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
    });
  });
});
