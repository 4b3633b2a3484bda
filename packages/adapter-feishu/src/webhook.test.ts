import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, startRig } from './test-support.js';
import { messageReceiveEvent } from './testing/index.js';
import { encryptFeishuEvent, feishuSignature } from './webhook-crypto.js';

const ENCRYPT_KEY = 'test-encrypt-key-123';
const VERIFY = 'verify-token-abc';
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function webhookRig(): Promise<Rig & { url: string }> {
  const r = await startRig({
    connectionMode: 'webhook',
    webhookPort: 0,
    encryptKey: ENCRYPT_KEY,
    verificationToken: VERIFY,
  });
  rig = r;
  return { ...r, url: r.adapter.webhookUrl! };
}

/** What Feishu sends: the body encrypted, the request signed over timestamp + nonce + key + body. */
function signedRequest(plain: unknown, o: { key?: string; tamper?: boolean } = {}) {
  const body = JSON.stringify({ encrypt: encryptFeishuEvent(JSON.stringify(plain), ENCRYPT_KEY) });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = 'n-123';
  const signature = feishuSignature(timestamp, nonce, o.key ?? ENCRYPT_KEY, body);
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signature,
    },
    body: o.tamper ? body.replace(/.$/, ' }') : body,
  };
}

function event(appId: string, text: string, messageId: string) {
  const e = messageReceiveEvent({
    appId,
    eventId: `ev_${messageId}`,
    messageId,
    chatId: 'oc_hook',
    chatType: 'p2p',
    senderOpenId: 'ou_hook',
    messageType: 'text',
    content: { text },
  });
  (e['header'] as Record<string, unknown>)['token'] = VERIFY;
  return e;
}

describe('feishu webhook mode', () => {
  it('listens on 127.0.0.1 by default and answers url_verification only with the right token', async () => {
    const r = await webhookRig();
    expect(new URL(r.url).hostname).toBe('127.0.0.1');
    const ok = await fetch(
      r.url,
      signedRequest({ type: 'url_verification', challenge: 'c-1', token: VERIFY }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ challenge: 'c-1' });
    const bad = await fetch(
      r.url,
      signedRequest({ type: 'url_verification', challenge: 'c-2', token: 'wrong' }),
    );
    expect(bad.status).toBe(401);
  });

  it('an encrypted, signed event is decrypted and delivered', async () => {
    const r = await webhookRig();
    const res = await fetch(r.url, signedRequest(event(r.fake.appId, 'via webhook', 'om_hook_1')));
    expect(res.status).toBe(200);
    const msg = await r.context.waitForReceived((m) => m.id === 'om_hook_1', 5_000);
    expect(msg).toMatchObject({
      text: 'via webhook',
      sender: { id: 'ou_hook' },
      chat: { chatId: 'oc_hook', chatType: 'dm' },
    });
  });

  it('a wrong signature or a tampered body is refused with 401 and nothing is delivered', async () => {
    const r = await webhookRig();
    const wrongKey = await fetch(
      r.url,
      signedRequest(event(r.fake.appId, 'forged', 'om_forged_1'), { key: 'other-key' }),
    );
    const tampered = await fetch(
      r.url,
      signedRequest(event(r.fake.appId, 'forged', 'om_forged_2'), { tamper: true }),
    );
    const unsigned = await fetch(r.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([wrongKey.status, tampered.status, unsigned.status]).toEqual([401, 401, 401]);
    const res = await fetch(r.url, signedRequest(event(r.fake.appId, 'genuine', 'om_genuine')));
    expect(res.status).toBe(200);
    await r.context.waitForReceived((m) => m.id === 'om_genuine', 5_000);
    expect(r.context.received.map((m) => m.text)).toEqual(['genuine']);
    expect(JSON.stringify(r.context.logger.entries)).not.toContain('forged');
  });

  it('refuses other paths, other methods, non-JSON and bodies over 1 MB', async () => {
    const r = await webhookRig();
    const base = new URL(r.url);
    expect((await fetch(new URL('/other', base), { method: 'POST' })).status).toBe(404);
    expect((await fetch(r.url)).status).toBe(405);
    expect(
      (await fetch(r.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status,
    ).toBe(415);
    const big = await fetch(r.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }),
    }).catch((e: unknown) => e);
    // Either the 413 arrives or the server cut the upload short after answering.
    if (big instanceof Response) expect(big.status).toBe(413);
    else expect(String(big)).toMatch(/fetch failed|socket|closed/i);
  });

  it('a card button press over the webhook is answered with a toast and handed to the host', async () => {
    const r = await webhookRig();
    const press = {
      schema: '2.0',
      header: {
        event_id: 'ev_press_1',
        event_type: 'card.action.trigger',
        app_id: r.fake.appId,
        token: VERIFY,
        create_time: '1',
      },
      event: {
        operator: { open_id: 'ou_ada', union_id: 'on_ada' },
        action: { tag: 'button', value: { hermes_action: 'deny' } },
        context: { open_message_id: 'om_card', open_chat_id: 'oc_hook' },
      },
    };
    const res = await fetch(r.url, signedRequest(press));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ toast: { type: 'info', content: 'Received' } });
    await waitFor(() => r.context.actions.length === 1, {
      timeoutMs: 5_000,
      what: 'the press to reach the host',
    });
    expect(r.context.actions[0]).toMatchObject({ id: 'ev_press_1', actionId: 'deny', messageId: 'om_card' });
  });

  it('promises no heartbeat: a quiet webhook is not a stalled one', async () => {
    const r = await webhookRig();
    expect(r.adapter.liveness().heartbeatIntervalMs).toBeUndefined();
  });

  it('rate limits each address to 120 requests a minute with 429', async () => {
    const r = await webhookRig();
    const statuses: number[] = [];
    for (let i = 0; i < 122; i++) {
      const res = await fetch(r.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 120).every((s) => s === 415)).toBe(true);
    expect(statuses.slice(120)).toEqual([429, 429]);
  });
});
