import type { Capabilities, ChatRef, MediaKind, PlatformAdapter } from '@hermes/adapter-core';
import type { FakeServer } from '../fake-server/types.js';
import type { TestContext } from '../test-context.js';

/** What the platform's fake accepted from the adapter, in the suite's terms. */
export interface SentMessage {
  chatId: string;
  /** The text as the platform received it (rendered in the adapter's dialect). */
  text?: string;
  threadId?: string;
  replyTo?: string;
  /** File name of an uploaded media item. */
  mediaName?: string;
  /** Uploaded bytes, when the fake can give them: the suite then compares them with what was sent. */
  mediaBytes?: Buffer;
  raw: unknown;
}

export interface ObservedEdit {
  chatId: string;
  messageId: string;
  text: string;
}

export interface ObservedReaction {
  chatId: string;
  messageId: string;
  emoji: string;
}

/** One adapter instance wired to its fake platform, fresh for every scenario. */
export interface ConformanceHarness {
  /** Not started yet: the suite calls `start(context.ctx)`. */
  adapter: PlatformAdapter;
  /** Usually `createTestContext()`; the suite calls its cleanup() after teardown(). */
  context: TestContext;
  /** Chats the fake knows. `thread` is required when capabilities.threads is true. */
  chats: { dm: ChatRef; group: ChatRef; thread?: ChatRef };
  /** The user id the fake sends messages from; when given, InboundMessage.sender.id must equal it. */
  senderId?: string;
  /** The fake server, when the harness uses this toolkit's: the suite reads faults, requests and sockets from it. */
  fake?: FakeServer;
  /** The credentials the adapter was configured with: none may be readable from its public fields. */
  secrets?: readonly string[];

  deliverDm(text: string): Promise<void>;
  /** With `mention: true`, the fake puts a bot mention into the text the way the platform does. */
  deliverGroup(text: string, o: { mention: boolean }): Promise<void>;
  /** Delivers a message inside `chats.thread`. */
  deliverThread?(text: string): Promise<void>;
  /** Delivers a DM carrying one media item the adapter must expose as an Attachment. */
  deliverMedia?(o: { kind: MediaKind; bytes: Buffer; name: string; mime: string }): Promise<void>;
  /** Sends a garbage frame or payload from the platform side (invalid JSON, missing fields...). */
  deliverMalformed(): Promise<void>;
  /** The server kills the adapter's connection without a goodbye (websocket / long-poll). */
  dropConnection?(): Promise<void>;
  /** The next send request the adapter makes gets a 429 with this retry-after (seconds). */
  rateLimitNextSend(retryAfterSeconds: number): void;
  /** Messages the fake accepted (not the ones it refused with a fault), in order. */
  sentMessages(): Promise<SentMessage[]>;

  /** Edits the fake applied; when present the suite checks its edit() landed. */
  observedEdits?(): Promise<ObservedEdit[]>;
  /** Typing indicators the fake saw. */
  observedTyping?(): Promise<Array<{ chatId: string }>>;
  /** Reactions the fake applied. */
  observedReactions?(): Promise<ObservedReaction[]>;
  /** Deletions the fake applied. */
  observedDeletes?(): Promise<Array<{ chatId: string; messageId: string }>>;
  /** Connections the adapter still holds open on the fake; default `fake.sockets.size`. */
  openConnections?(): number | Promise<number>;
  /** Connections the adapter ever opened to the fake; default `fake.connectionCount`. */
  totalConnections?(): number | Promise<number>;
  /**
   * When the rate-limited request and its retry reached the fake (ms timestamps); default: read from
   * `fake.faults.applied` and the next request on the same method and path.
   */
  rateLimitObservation?(): Promise<{ limitedAt: number; retriedAt: number } | undefined>;

  /** Closes the fake (and anything else setup() started). */
  teardown(): Promise<void>;
}

export interface ConformanceTimeouts {
  /** adapter.start() / adapter.stop(). Default 10 000 ms. */
  startMs?: number;
  /** A delivered message reaching ctx.receive, a send landing on the fake. Default 5000 ms. */
  receiveMs?: number;
  /** Back online after the server dropped the connection. Default 15 000 ms. */
  reconnectMs?: number;
  /** How long the suite watches for something that must NOT happen (a duplicate, a reconnect after stop). Default 750 ms. */
  settleMs?: number;
  /** Per-scenario vitest timeout. Default 45 000 ms. */
  testMs?: number;
}

export interface ConformanceDriver {
  /** Shown in the describe title, e.g. 'telegram'. */
  name: string;
  /** Builds a fresh adapter and fake for one scenario. Do not start the adapter. */
  setup(): Promise<ConformanceHarness>;
  /**
   * The adapter's capabilities as configured by setup(). With them the suite registers unsupported
   * scenarios as `it.skip` with the reason in the title; without them it skips at run time with a note.
   * Either way a scenario checks `adapter.capabilities` against what it declares.
   */
  capabilities?: Capabilities;
  /**
   * True when the adapter, as configured by setup(), ignores group messages without a bot mention.
   * Default false: such messages are delivered with mentionsBot false.
   */
  groupRequiresMention?: boolean;
  /**
   * False for adapters that hold no server connection (webhook-only): the reconnect scenario is then
   * registered as skipped with that reason. Default true, and the harness must implement dropConnection().
   */
  serverConnection?: boolean;
  timeouts?: ConformanceTimeouts;
}

export interface ResolvedTimeouts {
  startMs: number;
  receiveMs: number;
  reconnectMs: number;
  settleMs: number;
  testMs: number;
}

export function resolveTimeouts(t: ConformanceTimeouts = {}): ResolvedTimeouts {
  return {
    startMs: t.startMs ?? 10_000,
    receiveMs: t.receiveMs ?? 5_000,
    reconnectMs: t.reconnectMs ?? 15_000,
    settleMs: t.settleMs ?? 750,
    testMs: t.testMs ?? 45_000,
  };
}
