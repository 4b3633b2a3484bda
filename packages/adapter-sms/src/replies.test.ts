import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { respondRaw, startFakeServer, tinyPng, waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { startRig } from '../test/harness.js';
import { EMPTY_TWIML } from './webhook/twiml.js';

describe('a message in, a reply out', () => {
  it('answers the webhook with empty TwiML at once and sends the reply through Messages.json', async () => {
    let release: () => void = () => {};
    const hostDone = new Promise<void>((resolve) => {
      release = resolve;
    });
    const rig = await startRig({
      // The host answers only later (an agent turn): the webhook must not wait for it.
      onReceive: (msg, r) => {
        void hostDone.then(() => r.adapter.send(msg.chat, { text: `**echo:** ${msg.text}` }));
      },
    });
    const res = await rig.fake.deliverSms('ping', { from: '+15551230000' });
    expect(res).toMatchObject({ status: 200, body: EMPTY_TWIML, attempts: 1 });
    expect(await rig.fake.sentMessages()).toHaveLength(0);
    release();
    await waitFor(async () => (await rig.fake.sentMessages()).length === 1, { what: 'the reply' });
    const [reply] = await rig.fake.sentMessages();
    // Markdown stripped: phones show no formatting.
    expect(reply).toMatchObject({ chatId: '+15551230000', from: rig.fake.phoneNumber, text: 'echo: ping' });
    const msg = rig.received[0]!;
    expect(msg).toMatchObject({
      chat: { platform: 'sms', chatId: '+15551230000', chatType: 'dm' },
      sender: { id: '+15551230000' },
      text: 'ping',
    });
    expect(msg.id).toMatch(/^SM[0-9a-f]{32}$/);
    expect(rig.adapter.liveness().lastInboundAt).toBeTypeOf('number');
  });

  it('keeps non-ASCII text, plus signs and ampersands exactly as signed', async () => {
    const rig = await startRig();
    const text = 'Grüße 👋 1+1=2 & <ok> 100% "quoted"';
    expect((await rig.fake.deliverSms(text)).status).toBe(200);
    expect(rig.received.map((m) => m.text)).toEqual([text]);
  });

  it("Twilio's retries of one MessageSid reach the host once; our own number's echo is ignored", async () => {
    const rig = await startRig();
    const sid = `SM${'c'.repeat(32)}`;
    for (let i = 0; i < 3; i++)
      expect((await rig.fake.deliverSms('once', { messageSid: sid })).status).toBe(200);
    expect((await rig.fake.deliverSms('echo', { from: rig.fake.phoneNumber })).status).toBe(200);
    expect(rig.received.map((m) => m.text)).toEqual(['once']);
    expect(rig.logger.find('info', 'retry of a message already handled')).toHaveLength(2);
  });

  it('a host that refuses the message gets Twilio a 500, and the retry is delivered', async () => {
    let refuse = true;
    const rig = await startRig({
      onReceive: () => {
        if (refuse) {
          refuse = false;
          throw new Error('journal is full');
        }
      },
    });
    const res = await rig.fake.deliverSms('keep me', { retries: 2 });
    expect(res).toMatchObject({ status: 200, attempts: 2 });
    // The first attempt reached the host and threw; the second was accepted: the host saw it twice, accepted once.
    expect(rig.received.map((m) => m.text)).toEqual(['keep me', 'keep me']);
    expect(rig.logger.find('error', 'host did not accept')).toHaveLength(1);
  });

  it('splits a long reply at 1,600 UTF-16 units without losing a word', async () => {
    const rig = await startRig();
    const words = Array.from({ length: 900 }, (_, i) => `w${i}`);
    const result = await rig.adapter.send(
      { platform: 'sms', chatId: '+15551230000', chatType: 'dm' },
      {
        text: `# Title\n\n${words.join(' ')} 🎉`,
      },
    );
    expect(result.ok).toBe(true);
    const sent = await rig.fake.sentMessages();
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const m of sent) expect((m.text ?? '').length).toBeLessThanOrEqual(1600);
    const joined = sent.map((m) => m.text).join(' ');
    expect(joined.startsWith('Title')).toBe(true);
    expect(joined.split(/\s+/).filter((w) => w.startsWith('w'))).toEqual(words);
    if (result.ok) expect(result.messageIds).toEqual(sent.map((m) => m.sid));
  });
});

describe('MMS', () => {
  it('inbound media is fetched with Basic auth through the safe downloader; another origin never gets the token', async () => {
    const rig = await startRig();
    const png = tinyPng();
    expect(
      (await rig.fake.deliverSms('a picture', { media: [{ bytes: png, mime: 'image/png' }] })).status,
    ).toBe(200);
    const msg = rig.received[0]!;
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]).toMatchObject({ kind: 'image', mime: 'image/png' });
    const path = await msg.attachments[0]!.fetch();
    expect((await readFile(path)).equals(png)).toBe(true);
    const mediaGet = rig.fake.server.requests.find((r) => r.path.includes('/Media/'));
    expect(mediaGet?.headers.authorization).toMatch(/^Basic /);

    // A media URL on another origin (a CDN) is fetched without the account's credentials.
    const cdn = await startFakeServer();
    try {
      cdn.route('GET', '/cat.png', (_req, res) => respondRaw(res, 200, png, { 'content-type': 'image/png' }));
      await rig.fake.deliverSms('elsewhere', {
        extra: { NumMedia: '1', MediaUrl0: `${cdn.url}/cat.png`, MediaContentType0: 'image/png' },
      });
      const foreign = rig.received[1]!.attachments[0]!;
      expect((await readFile(await foreign.fetch())).equals(png)).toBe(true);
      expect(cdn.requests).toHaveLength(1);
      expect(cdn.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      await cdn.close();
    }
  });

  it('outbound media is served under an unguessable URL below SMS_WEBHOOK_URL and fetched by Twilio', async () => {
    const rig = await startRig();
    const path = join(rig.ctx.mediaCache.dir, 'chart.png');
    await writeFile(path, tinyPng());
    const result = await rig.adapter.send(
      { platform: 'sms', chatId: '+15551230000', chatType: 'dm' },
      { media: [{ kind: 'image', path, name: 'chart.png', mime: 'image/png', caption: 'the *chart*' }] },
    );
    expect(result.ok).toBe(true);
    const [mms] = await rig.fake.sentMessages();
    expect(mms?.text).toBe('the chart');
    expect(mms?.mediaUrls[0]).toMatch(new RegExp(`^${rig.webhookUrl}/media/[0-9a-f]{32}/chart\\.png$`));
    expect(mms?.mediaBytes?.equals(tinyPng())).toBe(true);
    // The host may remove its file once send() resolved; Twilio fetching (again) later still gets it.
    await rm(path);
    const later = await fetch(mms!.mediaUrls[0]!, { signal: AbortSignal.timeout(5000) });
    expect(later.status).toBe(200);
    expect(later.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await later.arrayBuffer()).equals(tinyPng())).toBe(true);
    // A guessed token is a plain 404.
    const guess = mms!.mediaUrls[0]!.replace(/media\/[0-9a-f]{32}/, `media/${'0'.repeat(32)}`);
    expect((await fetch(guess, { signal: AbortSignal.timeout(5000) })).status).toBe(404);
  });

  it('without a public URL, media falls back to text that says why', async () => {
    const rig = await startRig({ config: { webhookUrl: undefined } });
    const path = join(rig.ctx.mediaCache.dir, 'report.pdf');
    await writeFile(path, 'pdf bytes');
    const result = await rig.adapter.send(
      { platform: 'sms', chatId: '+15551230000', chatType: 'dm' },
      { text: 'here it is', media: [{ kind: 'file', path, name: 'report.pdf' }] },
    );
    expect(result.ok).toBe(true);
    const sent = await rig.fake.sentMessages();
    expect(sent.map((m) => m.mediaUrls.length)).toEqual([0, 0]);
    expect(sent[1]?.text).toBe(
      '[file "report.pdf" not sent: MMS media needs a public URL Twilio can fetch; set SMS_WEBHOOK_URL to send files]',
    );
    expect(rig.logger.find('warn', 'media sent as a text note')).toHaveLength(1);
  });
});

describe('REST failures', () => {
  it('a 429 with Retry-After is waited out and the message lands once', async () => {
    const rig = await startRig();
    rig.fake.rateLimitNextSend(1, 2);
    const result = await rig.adapter.send(
      { platform: 'sms', chatId: '+15551230000', chatType: 'dm' },
      { text: 'patience' },
    );
    expect(result.ok).toBe(true);
    expect((await rig.fake.sentMessages()).map((m) => m.text)).toEqual(['patience']);
    const posts = rig.fake.server.requests.filter((r) => r.path.endsWith('/Messages.json'));
    expect(posts.map((r) => r.status)).toEqual([429, 429, 201]);
    expect(posts[1]!.receivedAt - posts[0]!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('a connection cut after the request was sent is ambiguous and never resent (no double SMS)', async () => {
    const rig = await startRig();
    rig.fake.server.faults.next({ kind: 'drop' }, 1, { method: 'POST', path: /Messages\.json$/ });
    const result = await rig.adapter.send(
      { platform: 'sms', chatId: '+15551230000', chatType: 'dm' },
      { text: 'maybe' },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('timeout_ambiguous');
    expect(rig.fake.server.requests.filter((r) => r.path.endsWith('/Messages.json'))).toHaveLength(1);
  });

  it('Twilio error codes come back with their meaning and a fix', async () => {
    const rig = await startRig();
    const result = await rig.adapter.send(
      { platform: 'sms', chatId: 'not-a-number', chatType: 'dm' },
      { text: 'x' },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad_request');
      expect(result.error.message).toContain('Twilio error 21211');
      expect(result.error.fix).toContain('E.164');
    }
  });
});

describe('delivery status callbacks', () => {
  it('are verified, recorded per message, never move backwards, and failures are logged', async () => {
    const rig = await startRig();
    const chat = { platform: 'sms', chatId: '+15551230000', chatType: 'dm' as const };
    const a = await rig.adapter.send(chat, { text: 'one' });
    const b = await rig.adapter.send(chat, { text: 'two' });
    if (!a.ok || !b.ok) throw new Error('sends failed');
    const [sidA, sidB] = [a.messageIds[0]!, b.messageIds[0]!];
    const [first] = await rig.fake.sentMessages();
    expect(first?.statusCallback).toBe(`${rig.webhookUrl}/status`);
    expect((await rig.fake.sendStatus(sidA, 'sent')).status).toBe(200);
    expect((await rig.fake.sendStatus(sidA, 'delivered')).status).toBe(200);
    // Out of order: a late "sent" does not undo "delivered".
    expect((await rig.fake.sendStatus(sidA, 'sent')).status).toBe(200);
    expect((await rig.fake.sendStatus(sidB, 'undelivered', '30003')).status).toBe(200);
    expect(rig.adapter.deliveryStatus(sidA)).toMatchObject({ status: 'delivered' });
    expect(rig.adapter.deliveryStatus(sidB)).toMatchObject({ status: 'undelivered', errorCode: '30003' });
    expect(rig.logger.find('warn', 'SMS not delivered')).toHaveLength(1);
    expect(rig.received).toHaveLength(0);
  });
});
