// @ts-check
/** src/testing/* (the loopback fake, shipped as the `/testing` subpath) and src/adapter.test.ts (the driver). */

/** @typedef {import('../names.mjs').PlatformNames} PlatformNames */

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function fakeServerTs(n) {
  const P = n.pascal;
  return `import { type FakeServer, startFakeServer } from '@hermes/adapter-testkit';

/** A message the fake accepted from the adapter, in the conformance suite's terms. */
export interface Fake${P}SentMessage {
  chatId: string;
  text?: string;
  threadId?: string;
  replyTo?: string;
  mediaName?: string;
  raw: unknown;
}

/**
 * A loopback stand-in for ${n.label} that speaks its wire protocol: the adapter's tests run against it, and
 * so can the tests of any bot built on this package (\`import { startFake${P}Server } from '${n.packageName}/testing'\`).
 */
export interface Fake${P}Server {
  /** Pass as \`apiUrl\` in the adapter config. */
  readonly url: string;
  /** The underlying toolkit server: recorded requests and frames, fault injection, open sockets. */
  readonly server: FakeServer;
  /** The bot account the fake answers "who am I" with. */
  readonly botUserId: string;
  /** Pushes a direct message from \`fromUserId\` to the bot, the way ${n.label} delivers one. */
  deliverDm(text: string, o?: { chatId?: string; fromUserId?: string }): Promise<void>;
  /** Pushes a group message; with \`mention\` the text carries a bot mention as ${n.label} encodes it. */
  deliverGroup(text: string, o: { mention: boolean; chatId?: string; fromUserId?: string }): Promise<void>;
  /** Pushes something the adapter must survive: invalid JSON, a payload missing its required fields. */
  deliverMalformed(): Promise<void>;
  /** What the adapter sent, read from the recorded requests. */
  sentMessages(): Fake${P}SentMessage[];
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1 with an ephemeral port.
 * TODO(scaffold): script ${n.label}'s routes with \`server.route(...)\` (HTTP) and/or \`server.onWebSocket(...)\`
 * (frames), answer them the way the real API does (status codes, error bodies), and implement each
 * method below. Take the shapes from the platform's API reference, not from the adapter's code.
 */
export async function startFake${P}Server(options: { botUserId?: string } = {}): Promise<Fake${P}Server> {
  const server = await startFakeServer();
  const todo = (method: string): Error =>
    new Error(\`TODO(scaffold): Fake${P}Server.\${method} is not implemented yet (src/testing/fake-server.ts)\`);
  return {
    url: server.url,
    server,
    botUserId: options.botUserId ?? 'bot-1',
    deliverDm: async () => {
      throw todo('deliverDm');
    },
    deliverGroup: async () => {
      throw todo('deliverGroup');
    },
    deliverMalformed: async () => {
      throw todo('deliverMalformed');
    },
    sentMessages: () => {
      throw todo('sentMessages');
    },
    close: () => server.close(),
  };
}
`;
}

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function testingIndexTs(n) {
  const P = n.pascal;
  return `export { type Fake${P}SentMessage, type Fake${P}Server, startFake${P}Server } from './fake-server.js';
`;
}

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function adapterTestTs(n) {
  const P = n.pascal;
  return `import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit';
import { create${P}Adapter } from './adapter.js';
import { ${n.constant}_CAPABILITIES } from './format.js';
import { startFake${P}Server } from './testing/index.js';

/*
 * The shared conformance suite, driven against the loopback fake. While this package is the scaffold,
 * the scenarios FAIL: each failure names what is missing ("TODO(scaffold): ..."), usually the transport
 * first. That list is the work left. When every scenario passes, drop "(scaffold stub)" from the name.
 */
const dm: ChatRef = { platform: '${n.id}', chatId: 'dm-alice', chatType: 'dm' };
const group: ChatRef = { platform: '${n.id}', chatId: 'group-1', chatType: 'group' };
const senderId = 'user-alice';

runConformanceSuite({
  name: '${n.kebab} (scaffold stub: scenarios fail until transport, inbound and fake server are implemented)',
  capabilities: ${n.constant}_CAPABILITIES,
  async setup() {
    const fake = await startFake${P}Server();
    const context = createTestContext();
    const adapter = create${P}Adapter({ token: 'test-token', apiUrl: fake.url, allowPrivateMedia: true });
    return {
      adapter,
      context,
      chats: { dm, group },
      senderId,
      secrets: ['test-token'],
      fake: fake.server,
      deliverDm: (text) => fake.deliverDm(text, { chatId: dm.chatId, fromUserId: senderId }),
      deliverGroup: (text, o) => fake.deliverGroup(text, { ...o, chatId: group.chatId, fromUserId: senderId }),
      deliverMalformed: () => fake.deliverMalformed(),
      // TODO(scaffold): narrow the match to ${n.label}'s send endpoint, e.g. { method: 'POST', path: '/messages' }.
      rateLimitNextSend: (retryAfterSeconds) => fake.server.faults.next({ kind: 'rate-limit', retryAfterSeconds }),
      // TODO(scaffold): add dropConnection (server-side close) once the transport holds a connection, or set
      // serverConnection: false on the driver for a webhook-only platform.
      sentMessages: async () => fake.sentMessages(),
      teardown: () => fake.close(),
    };
  },
});
`;
}
