import { openRawSocket, readUntilClosed, waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { startRig } from '../test/harness.js';
import { post } from '../test/http.js';
import { signedWebhook } from './testing/index.js';
import { EMPTY_TWIML } from './webhook/twiml.js';

const MARKER = 'Zq7xK2pWbodymarker';

function inboundParams(rig: { fake: { accountSid: string; phoneNumber: string } }, body = MARKER) {
  return {
    MessageSid: `SM${'a'.repeat(32)}`,
    AccountSid: rig.fake.accountSid,
    From: '+15551230000',
    To: rig.fake.phoneNumber,
    Body: body,
    NumMedia: '0',
  };
}

describe('signatures', () => {
  it('unsigned and wrongly signed requests get 403, are logged without their body, and nothing is received', async () => {
    const rig = await startRig();
    const unsigned = await rig.fake.deliverSms(MARKER, { signature: null, retries: 0 });
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain('invalid X-Twilio-Signature');
    const wrong = await rig.fake.deliverSms(MARKER, {
      signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      retries: 0,
    });
    expect(wrong.status).toBe(403);
    // Signed with the right token for another URL: a captured request replayed at another endpoint.
    const elsewhere = await rig.fake.deliverSms(MARKER, {
      signedUrl: 'https://other.example.com/webhooks/twilio',
      retries: 0,
    });
    expect(elsewhere.status).toBe(403);
    // Signed with the right URL but a field changed after signing.
    const signed = signedWebhook(rig.fake.authToken, rig.webhookUrl, inboundParams(rig));
    const tampered = await post(
      rig.webhookUrl,
      signed.body.replace('%2B15551230000', '%2B15559999999'),
      signed.headers,
    );
    expect(tampered.status).toBe(403);
    expect(rig.received).toHaveLength(0);
    const refusals = rig.logger.find('warn', 'Twilio webhook refused');
    expect(refusals).toHaveLength(4);
    expect(refusals.map((e) => e.fields?.['problem'])).toContain('X-Twilio-Signature is missing');
    expect(JSON.stringify(rig.logger.entries)).not.toContain(MARKER);
    expect(JSON.stringify(rig.logger.entries)).not.toContain(rig.fake.authToken);
    // The server goes on: a genuine message is accepted.
    const good = await rig.fake.deliverSms('hello');
    expect(good).toMatchObject({ status: 200, body: EMPTY_TWIML });
    expect(rig.received.map((m) => m.text)).toEqual(['hello']);
  });

  it('a SharedKey-signed request is refused with a reason, not validated with the auth token', async () => {
    const rig = await startRig();
    const res = await rig.fake.deliverSms('x', {
      headers: { 'x-twilio-webhooks-signature-settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256' },
      retries: 0,
    });
    expect(res.status).toBe(403);
    expect(rig.logger.find('warn', 'Twilio webhook refused')[0]?.fields?.['problem']).toContain('SharedKey');
  });

  it('without SMS_WEBHOOK_URL, X-Forwarded-Proto/Host count only when trustProxy is set', async () => {
    const publicUrl = 'https://sms.example.com/webhooks/twilio';
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sms.example.com' };
    const plain = await startRig({ config: { webhookUrl: undefined } });
    expect(
      (await plain.fake.deliverSms('a', { signedUrl: publicUrl, headers: forwarded, retries: 0 })).status,
    ).toBe(403);
    // The Host header it was really sent to is what counts.
    expect((await plain.fake.deliverSms('b', { retries: 0 })).status).toBe(200);

    const proxied = await startRig({ config: { webhookUrl: undefined, trustProxy: true } });
    expect(
      (await proxied.fake.deliverSms('c', { signedUrl: publicUrl, headers: forwarded, retries: 0 })).status,
    ).toBe(200);
    expect(proxied.received.map((m) => m.text)).toEqual(['c']);
  });

  it('with SMS_WEBHOOK_URL set, forwarded headers cannot move the signed URL', async () => {
    const rig = await startRig({ config: { trustProxy: true } });
    const res = await rig.fake.deliverSms('x', {
      signedUrl: 'https://evil.example.com/webhooks/twilio',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example.com' },
      retries: 0,
    });
    expect(res.status).toBe(403);
  });
});

describe('bad input gets a clear error and loses nothing', () => {
  it('an oversized body is refused with 413 naming the cap; the next message is accepted', async () => {
    const rig = await startRig({ config: { maxBodyBytes: 4096 } });
    const big = await rig.fake.deliverSms('x'.repeat(5000), { retries: 0 });
    expect(big.status).toBe(413);
    expect(big.body).toContain('larger than 4096 bytes');
    expect((await rig.fake.deliverSms('small')).status).toBe(200);
    expect(rig.received.map((m) => m.text)).toEqual(['small']);
  });

  it('a signed but malformed form gets 400 naming the field; the same sid sent correctly is still accepted', async () => {
    const rig = await startRig();
    const sid = `SM${'b'.repeat(32)}`;
    const noFrom = await rig.fake.deliverSms('x', { messageSid: sid, extra: { From: '' }, retries: 0 });
    expect(noFrom.status).toBe(400);
    expect(noFrom.body).toContain('From is missing');
    const twice = await rig.fake.deliverSms('x', {
      extra: { From: ['+15551230000', '+15551230001'] },
      retries: 0,
    });
    expect(twice.status).toBe(400);
    expect(twice.body).toContain('From appears 2 times');
    const badMedia = await rig.fake.deliverSms('x', {
      extra: { NumMedia: '1', MediaUrl0: 'file:///etc/passwd' },
    });
    expect(badMedia.status).toBe(400);
    expect(badMedia.body).toContain('MediaUrl0 is not an http(s) URL');
    // A refused message was not remembered: Twilio's corrected delivery goes through.
    expect((await rig.fake.deliverSms('fixed', { messageSid: sid })).status).toBe(200);
    expect(rig.received.map((m) => m.id)).toEqual([sid]);
  });

  it('a body that is not a form gets 415; unknown paths 404; GET on the webhook 405; /health answers', async () => {
    const rig = await startRig();
    const json = await post(rig.webhookUrl, '{"Body":"x"}', { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(json.text).toContain('application/x-www-form-urlencoded');
    expect((await post(rig.webhookUrl.replace('/twilio', '/nope'), '')).status).toBe(404);
    expect((await post(rig.webhookUrl, '', {}, 'GET')).status).toBe(405);
    const health = await post(rig.webhookUrl.replace('/webhooks/twilio', '/health'), '', {}, 'GET');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok', platform: 'sms' });
  });

  it('a client that sends its body too slowly gets 408; a prompt one is served meanwhile', async () => {
    const rig = await startRig({ config: { bodyTimeoutMs: 300 } });
    const port = Number(new URL(rig.webhookUrl).port);
    const socket = await openRawSocket(port);
    const signed = signedWebhook(rig.fake.authToken, rig.webhookUrl, inboundParams(rig, 'slow'));
    const head = Object.entries({ ...signed.headers, 'content-length': String(signed.body.length) })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    socket.write(
      `POST /webhooks/twilio HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${head}\r\n\r\n${signed.body.slice(0, 10)}`,
    );
    expect((await rig.fake.deliverSms('prompt')).status).toBe(200);
    const answer = await readUntilClosed(socket, 5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('did not arrive within 300 ms');
    expect(rig.received.map((m) => m.text)).toEqual(['prompt']);
    // Twilio retries the slow one in full: it is not lost.
    expect((await rig.fake.deliverSms('slow', { messageSid: inboundParams(rig).MessageSid })).status).toBe(
      200,
    );
    await waitFor(() => rig.received.length === 2, { what: 'the retried slow message' });
  });

  it('a flood of bad signatures is logged at most 30 times, then quietly', async () => {
    const rig = await startRig();
    for (let i = 0; i < 40; i++) {
      expect((await rig.fake.deliverSms(`junk ${i}`, { signature: 'bad', retries: 0 })).status).toBe(403);
    }
    expect(rig.logger.find('warn', 'Twilio webhook refused')).toHaveLength(30);
  });
});
