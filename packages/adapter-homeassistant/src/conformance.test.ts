import {
  type ConformanceDriver,
  createTestContext,
  runConformanceSubset,
  type ScenarioId,
} from '@hermes/adapter-testkit';
import { createHomeAssistantAdapter } from './adapter.js';
import { HOME_ASSISTANT_CAPABILITIES } from './format.js';
import { HOME_ASSISTANT_EVENTS_CHAT } from './inbound.js';
import { startFakeHomeAssistant } from './testing/index.js';

/**
 * The suite is written for chat platforms; Home Assistant sends state changes and the adapter writes
 * their text. A "DM" here is a state change whose new state is the suite's text, on a fresh entity each
 * time (the per-entity cooldown would otherwise hold the second one).
 */
const NOT_APPLICABLE: Partial<Record<ScenarioId, string>> = {
  'dm-text':
    'an event\'s text is rendered by the adapter ("… changed from X to Y"); adapter-events.test.ts checks it',
  'group-mention': 'events have no group chats',
  'group-without-mention': 'events have no group chats',
  'thread-reply': 'capabilities.threads is false',
  'media-in': 'capabilities.media.receive is empty',
  'media-out': 'capabilities.media.send is empty',
};

const APPLICABLE: ScenarioId[] = [
  'start-online',
  'capabilities',
  'contract-members',
  'lifecycle-errors',
  'long-reply-split',
  'edit',
  'delete',
  'typing',
  'reactions',
  'reconnect',
  'rate-limit',
  'malformed',
  'clean-stop',
];

const chat = { platform: 'homeassistant', chatId: HOME_ASSISTANT_EVENTS_CHAT, chatType: 'channel' as const };

const driver: ConformanceDriver = {
  name: 'homeassistant',
  capabilities: HOME_ASSISTANT_CAPABILITIES,
  async setup() {
    const fake = await startFakeHomeAssistant();
    let n = 0;
    const adapter = createHomeAssistantAdapter({
      url: fake.url,
      token: fake.token,
      watchDomains: ['sensor'],
      reconnectDelaysSeconds: [0.05],
    });
    return {
      adapter,
      context: createTestContext(),
      chats: { dm: chat, group: chat },
      senderId: 'homeassistant',
      secrets: [fake.token],
      fake: fake.server,
      async deliverDm(text) {
        n += 1;
        fake.setState(`sensor.conformance_${n}`, text);
      },
      async deliverGroup() {
        throw new Error('not applicable: events have no group chats');
      },
      async deliverMalformed() {
        fake.sendRaw('{"type": "event", "id": ');
      },
      async dropConnection() {
        fake.server.dropSockets();
      },
      rateLimitNextSend: (retryAfterSeconds) =>
        fake.server.faults.next({ kind: 'rate-limit', retryAfterSeconds }, 1, {
          method: 'POST',
          path: '/api/services/persistent_notification/create',
        }),
      async sentMessages() {
        return fake
          .notifications()
          .map((n) => ({ chatId: HOME_ASSISTANT_EVENTS_CHAT, text: n.message, raw: n }));
      },
      teardown: () => fake.close(),
    };
  },
};

runConformanceSubset(driver, {
  title: 'homeassistant: adapter conformance (the scenarios that fit an event platform)',
  applicable: APPLICABLE,
  notApplicable: NOT_APPLICABLE,
});
