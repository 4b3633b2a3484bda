import { request } from 'node:http';
import { isAdapterError } from '@hermes/adapter-core';
import { sleep } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_SECRET, type Rig, rig, VERIFY_TOKEN } from '../test/harness.js';
import { WhatsappAdapter } from './adapter.js';
import { sendWhatsappWebhook, statusUpdate, textMessage, whatsappWebhookBody } from './testing/index.js';

const alice = { waId: '15550001111', name: 'Alice' };
let r: Rig | undefined;

afterEach(async () => {
  await r?.close();
  r = undefined;
});

function get(url: string): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('GET timed out')));
    req.on('error', reject);
    req.end();
  });
}

function textBody(text: string, id?: string): string {
  return JSON.stringify(
    whatsappWebhookBody(r!.fake.business, {
      contacts: [alice],
      messages: [textMessage({ from: alice.waId, ...(id ? { id } : {}) }, text)],
    }),
  );
}

describe('whatsapp webhook: verification handshake', () => {
  it('echoes hub.challenge when hub.verify_token matches, 403 when it does not, 400 without the fields', async () => {
    r = await rig();
    await r.start();
    const url = r.adapter.webhookUrl!;
    const ok = await get(
      `${url}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok).toEqual({ status: 200, body: '1158201444' });
    const wrong = await get(`${url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(wrong.status).toBe(403);
    expect(JSON.parse(wrong.body).error).toMatch(/hub.verify_token does not match WHATSAPP_VERIFY_TOKEN/);
    const missing = await get(`${url}?hub.verify_token=${VERIFY_TOKEN}`);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).error).toMatch(/hub.mode=subscribe/);
  });
});

describe('whatsapp webhook: refusals are clear and lose nothing', () => {
  it('a wrong signature gets 401 and nothing is delivered; the correctly signed retry is delivered once', async () => {
    r = await rig();
    await r.start();
    const body = textBody('signed by someone else');
    const forged = await sendWhatsappWebhook(r.adapter.webhookUrl!, body, {
      appSecret: 'not-the-app-secret',
    });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).error).toBe('invalid X-Hub-Signature-256');
    const unsigned = await sendWhatsappWebhook(r.adapter.webhookUrl!, body);
    expect(unsigned.status).toBe(401);
    expect(r.context.logger.find('warn', 'header missing')).not.toHaveLength(0);
    await sleep(100);
    expect(r.context.received).toHaveLength(0);
    const good = await sendWhatsappWebhook(r.adapter.webhookUrl!, body, { appSecret: APP_SECRET });
    expect(good.status).toBe(200);
    const msg = await r.context.waitForReceived((m) => m.text === 'signed by someone else');
    expect(msg.sender.id).toBe(alice.waId);
    // No secret and no body text in any log line.
    const logged = JSON.stringify(r.context.logger.entries);
    expect(logged).not.toContain(APP_SECRET);
    expect(logged).not.toContain('signed by someone else');
  });

  it('an address over its bad-signature budget gets 429 and one warning per allowed failure; valid ones still pass', async () => {
    r = await rig({ config: { authFailuresPerMinute: 2 } });
    await r.start();
    const body = textBody('budgeted');
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push((await sendWhatsappWebhook(r.adapter.webhookUrl!, body, { appSecret: 'wrong' })).status);
    }
    expect(answers).toEqual([401, 401, 429, 429]);
    expect(r.context.logger.find('warn', 'signature rejected')).toHaveLength(2);
    const good = await sendWhatsappWebhook(r.adapter.webhookUrl!, body, { appSecret: APP_SECRET });
    expect(good.status).toBe(200);
    await r.context.waitForReceived((m) => m.text === 'budgeted');
  });

  it('a body over the cap gets 413 naming the limit, and the server goes on', async () => {
    r = await rig({ config: { maxBodyBytes: 2_000 } });
    await r.start();
    const big = textBody('x'.repeat(5_000));
    const refused = await sendWhatsappWebhook(r.adapter.webhookUrl!, big, { appSecret: APP_SECRET });
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).error).toMatch(/larger than 2000 bytes.*maxBodyBytes/);
    await r.fake.deliverDm('small one after the big one', alice);
    await r.context.waitForReceived((m) => m.text === 'small one after the big one');
  });

  it('invalid JSON gets 400 (Meta retries it); another product’s webhook gets 200 and is ignored', async () => {
    r = await rig();
    await r.start();
    const broken = await r.fake.post('{"object":"whatsapp_business_account","entry":[{');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error).toMatch(/not valid JSON/);
    const page = await r.fake.post(JSON.stringify({ object: 'page', entry: [] }));
    expect(page.status).toBe(200);
    const noEntry = await r.fake.post(JSON.stringify({ object: 'whatsapp_business_account' }));
    expect(noEntry.status).toBe(400);
    expect(JSON.parse(noEntry.body).error).toMatch(/"entry" is missing/);
    await r.fake.deliverDm('still here', alice);
    await r.context.waitForReceived((m) => m.text === 'still here');
    expect(r.context.received).toHaveLength(1);
  });

  it('unknown paths are 404 and other methods 405, without touching the host', async () => {
    r = await rig();
    await r.start();
    const base = r.adapter.webhookUrl!.replace('/whatsapp/webhook', '');
    expect((await get(`${base}/other`)).status).toBe(404);
    expect((await get(`${base}/health`)).status).toBe(200);
    const put = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(r!.adapter.webhookUrl!, { method: 'PUT', timeout: 5_000 }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(put).toBe(405);
  });

  it('a message the host refuses gets 500; Meta’s retry delivers it, and what was taken is not doubled', async () => {
    r = await rig();
    let refuseNext = true;
    const receive = r.context.ctx.receive;
    r.context.ctx.receive = (msg) => {
      if (msg.text === 'second' && refuseNext) {
        refuseNext = false;
        throw new Error('journal is busy');
      }
      receive(msg);
    };
    await r.start();
    const body = JSON.stringify(
      whatsappWebhookBody(r.fake.business, {
        contacts: [alice],
        messages: [textMessage({ from: alice.waId }, 'first'), textMessage({ from: alice.waId }, 'second')],
      }),
    );
    const first = await r.fake.post(body);
    expect(first.status).toBe(500);
    const retry = await r.fake.post(body);
    expect(retry.status).toBe(200);
    await r.context.waitForReceived((m) => m.text === 'second');
    expect(r.context.received.map((m) => m.text)).toEqual(['first', 'second']);
  });

  it('the same message delivered twice reaches the host once', async () => {
    r = await rig();
    await r.start();
    const body = textBody('only once please', 'wamid.fixed-id-1');
    expect((await r.fake.post(body)).status).toBe(200);
    expect((await r.fake.post(body)).status).toBe(200);
    await sleep(100);
    expect(r.context.received.filter((m) => m.text === 'only once please')).toHaveLength(1);
  });
});

describe('whatsapp webhook: binding rules', () => {
  it('refuses a non-loopback bind without the app secret, naming WHATSAPP_APP_SECRET', async () => {
    r = await rig();
    const { appSecret: _drop, ...config } = r.config;
    const open = new WhatsappAdapter({ ...config, webhookHost: '0.0.0.0' });
    const error = await open.start(r.context.ctx).catch((e: unknown) => e);
    expect(isAdapterError(error) && error.code).toBe('config_invalid');
    expect(isAdapterError(error) && error.fix).toMatch(/WHATSAPP_APP_SECRET/);
  });

  it('on loopback without an app secret, unsigned webhooks are accepted (with a warning)', async () => {
    r = await rig({ config: { appSecret: undefined } });
    await r.start();
    expect(r.context.logger.find('warn', 'accepted unsigned')).not.toHaveLength(0);
    const answer = await sendWhatsappWebhook(r.adapter.webhookUrl!, textBody('unsigned on loopback'));
    expect(answer.status).toBe(200);
    await r.context.waitForReceived((m) => m.text === 'unsigned on loopback');
  });
});

describe('whatsapp webhook: statuses', () => {
  it('records delivery statuses; a #131047 failure closes the user’s window', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    const sent = await r.adapter.send(
      { platform: 'whatsapp', chatId: alice.waId, chatType: 'dm' },
      { text: 'hi' },
    );
    expect(sent.ok).toBe(true);
    const id = sent.ok ? sent.messageIds[0]! : '';
    await r.fake.post(
      JSON.stringify(
        whatsappWebhookBody(r.fake.business, { statuses: [statusUpdate(id, alice.waId, 'delivered')] }),
      ),
    );
    expect(r.adapter.deliveryStatus(id)?.status).toBe('delivered');
    expect(r.adapter.customerWindowOpen(alice.waId)).toBe(true);
    await r.fake.post(
      JSON.stringify(
        whatsappWebhookBody(r.fake.business, {
          statuses: [
            statusUpdate(id, alice.waId, 'failed', [{ code: 131047, title: 'Re-engagement message' }]),
          ],
        }),
      ),
    );
    expect(r.adapter.deliveryStatus(id)).toMatchObject({ status: 'failed', errors: [{ code: 131047 }] });
    expect(r.adapter.customerWindowOpen(alice.waId)).toBe(false);
    expect(r.context.logger.find('warn', 'could not deliver')).not.toHaveLength(0);
  });
});
