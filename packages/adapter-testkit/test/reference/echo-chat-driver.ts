import type { Capabilities } from '@hermes/adapter-core';
import type { ConformanceDriver, ConformanceHarness } from '../../src/conformance/types.js';
import { createTestContext } from '../../src/test-context.js';
import { EchoChatAdapter, type EchoChatConfig } from './echo-chat-adapter.js';
import { ECHO_CHAT_USER, EchoChatFake } from './echo-chat-fake.js';

type Variant = Omit<EchoChatConfig, 'baseUrl' | 'token'>;

const TOKEN = 'echo-test-token';
const DM = { id: 'dm-alice', kind: 'direct' as const };
const GROUP = { id: 'grp-lobby', kind: 'group' as const };
const THREAD = { id: 'grp-lobby', kind: 'group' as const, thread: 'th-1' };

/** The conformance driver of the reference adapter: how its fake delivers and what it received. */
export function createEchoChatDriver(name: string, variant: Variant = {}): ConformanceDriver {
  return {
    name,
    capabilities: capabilitiesOf(variant),
    groupRequiresMention: variant.requireMention === true,
    setup: () => setupEchoChat(variant),
  };
}

/** What an EchoChatAdapter built with this variant declares (read from a throwaway instance). */
export function capabilitiesOf(variant: Variant): Capabilities {
  return new EchoChatAdapter({ baseUrl: 'http://127.0.0.1:1', token: 'x', ...variant }).capabilities;
}

export async function setupEchoChat(
  variant: Variant,
): Promise<ConformanceHarness & { platform: EchoChatFake }> {
  const maxLength = variant.maxMessageLength ?? 500;
  const unit = variant.lengthUnit ?? 'utf16';
  const fake = await EchoChatFake.start({ token: TOKEN, maxLength, unit });
  const adapter = new EchoChatAdapter({
    baseUrl: fake.server.url,
    token: TOKEN,
    mediaAllowPrivate: true,
    ...variant,
  });
  const platform = 'echo-chat';
  return {
    platform: fake,
    adapter,
    context: createTestContext(),
    chats: {
      dm: { platform, chatId: DM.id, chatType: 'dm' },
      group: { platform, chatId: GROUP.id, chatType: 'group' },
      thread: { platform, chatId: THREAD.id, chatType: 'group', threadId: THREAD.thread },
    },
    senderId: ECHO_CHAT_USER.id,
    secrets: [TOKEN],
    fake: fake.server,
    deliverDm: async (text) => void fake.deliver({ chat: DM, text }),
    deliverGroup: async (text, o) => void fake.deliver({ chat: GROUP, text, mention: o.mention }),
    deliverThread: async (text) => void fake.deliver({ chat: THREAD, text }),
    deliverMedia: async (m) => {
      const file = fake.storeFile(m.bytes, m.name, m.mime, m.kind);
      fake.deliver({ chat: DM, text: '', files: [file] });
    },
    deliverMalformed: async () => {
      fake.server.broadcast('this is {not json');
      fake.server.broadcast({ type: 'message', id: 42, text: null });
      fake.server.broadcast({ type: 'presence', user: 'u-alice' });
    },
    dropConnection: async () => {
      fake.server.dropSockets();
    },
    rateLimitNextSend: (seconds) =>
      fake.server.faults.next({ kind: 'rate-limit', retryAfterSeconds: seconds }, 1, {
        method: 'POST',
        path: /\/messages$/,
      }),
    sentMessages: async () => fake.sent,
    observedEdits: async () => fake.edits,
    observedDeletes: async () => fake.deletes,
    observedReactions: async () => fake.reactions,
    observedTyping: async () => fake.typing,
    teardown: () => fake.server.close(),
  };
}
