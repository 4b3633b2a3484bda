import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeTwilio, startFakeTwilio } from '@hermes/adapter-sms/testing';
import { type FakeWhatsappServer, startFakeWhatsappServer } from '@hermes/adapter-whatsapp/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type GatewayProcess,
  gatewayEnv,
  hermesAsync,
  startGatewayProcess,
  until,
} from './gateway-process.js';

const APP_SECRET = 'e2e-whatsapp-app-secret';
const alice = { waId: '15550001111', name: 'Alice' };
const knownNumber = '+15551230000';
const strangerNumber = '+15557654321';

let home: string;
let fake: FakeOpenAI;
let whatsapp: FakeWhatsappServer;
let twilio: FakeTwilio;
let gateway: GatewayProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-phone-'));
  fake = await startFakeOpenAI();
  whatsapp = await startFakeWhatsappServer({ appSecret: APP_SECRET });
  twilio = await startFakeTwilio();
  const whatsappPort = await freePort();
  const smsPort = await freePort();
  // Meta and Twilio both call the gateway's own webhook servers; the fakes play those callers.
  whatsapp.webhookUrl = `http://127.0.0.1:${whatsappPort}/whatsapp/webhook`;
  const smsWebhookUrl = `http://127.0.0.1:${smsPort}/webhooks/twilio`;
  twilio.setWebhookUrl(smsWebhookUrl);
  env = gatewayEnv(home, {
    WHATSAPP_ENABLED: 'true',
    WHATSAPP_PHONE_NUMBER_ID: whatsapp.phoneNumberId,
    WHATSAPP_ACCESS_TOKEN: whatsapp.accessToken,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'e2e-verify-token',
    WHATSAPP_WEBHOOK_PORT: String(whatsappPort),
    WHATSAPP_GRAPH_API_BASE: whatsapp.url,
    WHATSAPP_ALLOWED_USERS: alice.waId,
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_PHONE_NUMBER: twilio.phoneNumber,
    TWILIO_API_BASE: twilio.url,
    SMS_WEBHOOK_PORT: String(smsPort),
    SMS_WEBHOOK_URL: smsWebhookUrl,
    SMS_ALLOWED_USERS: knownNumber,
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-test-e2e-phone',
    HERMES_MODEL: 'fake-model',
  });
  gateway = startGatewayProcess(env);
  await gateway.waitForLog(/gateway running/, 30_000);
}, 60_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await Promise.all([fake?.close(), whatsapp?.close(), twilio?.close()]);
  rmSync(home, { recursive: true, force: true });
});

const whatsappTo = (waId: string) => whatsapp.sentMessages().filter((m) => m.chatId === waId);

/** The fake Twilio's record is read asynchronously (it waits for MMS fetches), so `until` cannot poll it. */
async function smsUntil<T>(
  check: (texts: string[]) => T | undefined | false,
  to: string,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = (await twilio.sentMessages()).filter((m) => m.chatId === to).map((m) => m.text ?? '');
    const v = check(texts);
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; SMS sent so far: ${JSON.stringify(texts)}\n${gateway.output().slice(-3000)}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the gateway process with WhatsApp Cloud API and Twilio SMS at once (fake platforms) and the fake model', () => {
  it('answers a WhatsApp DM through the Graph API', async () => {
    const before = fake.requests.length;
    fake.script(step.text('Hello Alice, on WhatsApp.'));
    const inboundId = await whatsapp.deliverDm('hi from whatsapp', alice);
    const reply = await until(
      gateway,
      () => whatsappTo(alice.waId).find((m) => m.text === 'Hello Alice, on WhatsApp.'),
      'the WhatsApp reply',
    );
    expect(reply.type).toBe('text');
    expect(fake.requests.length).toBe(before + 1);
    expect(String(fake.requests.at(-1)!.body.messages.at(-1)!.content)).toContain('hi from whatsapp');
    // The reply quotes the message it answers (`context.message_id`).
    expect(reply.replyTo).toBe(inboundId);
  });

  it('answers an SMS DM through Messages.json from the configured number', async () => {
    fake.script(step.text('Hello by SMS.'));
    const delivered = await twilio.deliverSms('hi from sms', { from: knownNumber });
    expect(delivered.status).toBe(200);
    await smsUntil((t) => t.includes('Hello by SMS.'), knownNumber, 'the SMS reply');
    const sent = (await twilio.sentMessages()).find((m) => m.text === 'Hello by SMS.');
    expect(sent?.from).toBe(twilio.phoneNumber);
    expect(String(fake.requests.at(-1)!.body.messages.at(-1)!.content)).toContain('hi from sms');
  });

  it('pairs an unknown SMS number: one code, `hermes pairing approve sms <code>`, then it is answered', async () => {
    const before = fake.requests.length;
    await twilio.deliverSms('who are you?', { from: strangerNumber });
    const code = await smsUntil(
      (t) => t.map((x) => /pairing code:\s*`?([A-Z2-9]{8})`?/.exec(x)?.[1]).find(Boolean),
      strangerNumber,
      'the pairing code',
    );
    // Asking again before approval gets no second code (rate limited), and the model never saw either.
    await twilio.deliverSms('hello?', { from: strangerNumber });
    await smsUntil((t) => t.length >= 2 && t, strangerNumber, 'the answer to the second message');
    const texts = (await twilio.sentMessages())
      .filter((m) => m.chatId === strangerNumber)
      .map((m) => m.text ?? '');
    expect(texts.filter((t) => /pairing code/.test(t))).toHaveLength(1);
    expect(texts[1]).toMatch(/Too many pairing requests/);
    expect(fake.requests.length).toBe(before);

    const approved = await hermesAsync(['pairing', 'approve', 'sms', code], env);
    expect(approved.code, approved.stdout + approved.stderr).toBe(0);
    fake.script(step.text('Welcome, new number.'));
    await twilio.deliverSms('now can we talk?', { from: strangerNumber });
    await smsUntil((t) => t.includes('Welcome, new number.'), strangerNumber, 'the reply after approval');
    expect(String(fake.requests.at(-1)!.body.messages.at(-1)!.content)).toContain('now can we talk?');
  });

  it('asks for a dangerous command on WhatsApp with a list of choices; pressing Approve once continues the turn', async () => {
    const scratch = join(home, 'scratch-whatsapp');
    mkdirSync(scratch);
    fake.script(
      step.toolCall('terminal', { command: `rm -rf ${scratch}` }),
      step.text('Cleaned up on WhatsApp.'),
    );
    await whatsapp.deliverDm('clean up please', alice);
    const prompt = await until(
      gateway,
      () =>
        whatsappTo(alice.waId).find(
          (m) => m.text?.includes('Dangerous command requires approval') && (m.actions?.length ?? 0) > 0,
        ),
      'the approval prompt with choices',
    );
    // Four choices are more than WhatsApp's three reply buttons: they go as an interactive list.
    expect(prompt.type).toBe('interactive');
    expect(prompt.actions?.map((a) => a.title)).toEqual([
      'Approve once',
      'Approve for session',
      'Always',
      'Deny',
    ]);
    const approve = prompt.actions!.find((a) => a.title === 'Approve once')!;
    expect(whatsappTo(alice.waId).some((m) => m.text === 'Cleaned up on WhatsApp.')).toBe(false);
    expect(existsSync(scratch)).toBe(true);

    await whatsapp.deliverPress(
      { contextId: prompt.id, id: approve.id, title: approve.title, list: true },
      alice,
    );
    await until(
      gateway,
      () => whatsappTo(alice.waId).some((m) => m.text === 'Cleaned up on WhatsApp.'),
      'the reply after the press',
    );
    // WhatsApp cannot remove buttons: the outcome is sent as a reply quoting the prompt.
    const settled = await until(
      gateway,
      () =>
        whatsappTo(alice.waId).find((m) => m.replyTo === prompt.id && /Approved by Alice/.test(m.text ?? '')),
      'the outcome quoting the prompt',
    );
    expect(settled.type).toBe('text');
    // The command really ran after the press.
    expect(existsSync(scratch)).toBe(false);
  });
});
