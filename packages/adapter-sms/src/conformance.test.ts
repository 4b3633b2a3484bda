import type { ChatRef } from '@hermes/adapter-core';
import {
  type ConformanceDriver,
  createTestContext,
  runConformanceSubset,
  type ScenarioId,
} from '@hermes/adapter-testkit';
import { createSmsAdapter } from './adapter.js';
import { SMS_CAPABILITIES } from './format.js';
import { pickFreePort, startFakeTwilio } from './testing/index.js';

const SENDER = '+15551230000';
const dm: ChatRef = { platform: 'sms', chatId: SENDER, chatType: 'dm' };

/** SMS is one person texting one number: the suite's group, thread and connection scenarios do not apply. */
const NOT_APPLICABLE: Partial<Record<ScenarioId, string>> = {
  'group-mention': 'SMS has no group chats: every conversation is one phone number',
  'group-without-mention': 'SMS has no group chats: every conversation is one phone number',
  'thread-reply': 'capabilities.threads is false',
  reconnect: 'the adapter is a webhook server and holds no connection to Twilio to re-establish',
};

const APPLICABLE: ScenarioId[] = [
  'start-online',
  'capabilities',
  'contract-members',
  'lifecycle-errors',
  'dm-text',
  'long-reply-split',
  'media-out',
  'media-in',
  'edit',
  'delete',
  'typing',
  'reactions',
  'rate-limit',
  'malformed',
  'clean-stop',
];

const driver: ConformanceDriver = {
  name: 'sms',
  serverConnection: false,
  capabilities: SMS_CAPABILITIES,
  async setup() {
    const fake = await startFakeTwilio();
    const port = await pickFreePort();
    const webhookUrl = `http://127.0.0.1:${port}/webhooks/twilio`;
    fake.setWebhookUrl(webhookUrl);
    const adapter = createSmsAdapter({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      phoneNumber: fake.phoneNumber,
      webhookPort: port,
      webhookUrl,
      apiBase: fake.url,
      allowPrivateMedia: true,
    });
    const expectAccepted = async (p: Promise<{ status: number }>) => {
      const { status } = await p;
      if (status !== 200) throw new Error(`the adapter answered the webhook with ${status}`);
    };
    return {
      adapter,
      context: createTestContext(),
      chats: { dm, group: { ...dm, chatType: 'group' as const } },
      senderId: SENDER,
      secrets: [fake.authToken],
      fake: fake.server,
      deliverDm: (text) => expectAccepted(fake.deliverSms(text, { from: SENDER })),
      deliverGroup: () => Promise.reject(new Error('not applicable: SMS has no group chats')),
      deliverMedia: (m) =>
        expectAccepted(fake.deliverSms('', { from: SENDER, media: [{ bytes: m.bytes, mime: m.mime }] })),
      // Signed, so it passes the signature check and is refused for its content.
      deliverMalformed: async () => {
        const { status } = await fake.deliverSms('garbage', { from: SENDER, extra: { NumMedia: 'lots' } });
        if (status !== 400) throw new Error(`a malformed webhook should get 400, got ${status}`);
      },
      rateLimitNextSend: (retryAfterSeconds) => fake.rateLimitNextSend(retryAfterSeconds),
      sentMessages: () => fake.sentMessages(),
      teardown: () => fake.close(),
    };
  },
};

runConformanceSubset(driver, {
  title: 'sms: adapter conformance (the scenarios that fit one-to-one texting over a webhook)',
  applicable: APPLICABLE,
  notApplicable: NOT_APPLICABLE,
});
