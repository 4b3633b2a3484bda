import type { ZodType } from 'zod';
import type { AdapterError } from './errors.js';
import type { Logger } from './logger.js';

/** Where a message lives. `thread` is a chat type of its own on platforms where threads are separate rooms. */
export type ChatType = 'dm' | 'group' | 'channel' | 'thread';

export interface ChatRef {
  platform: string;
  chatId: string;
  chatType: ChatType;
  /** Thread or topic inside the chat (Slack `thread_ts`, Telegram forum topic, Discord thread). */
  threadId?: string;
  chatName?: string;
}

export interface Sender {
  id: string;
  name?: string;
  /** A second id the platform knows the user by (phone number, username, union id). Allowlists match either. */
  altId?: string;
  isBot?: boolean;
  /**
   * Role ids and names the sender holds, where the platform has roles (Discord). The host's
   * `<P>_ALLOWED_ROLES` allowlist matches them.
   */
  roles?: string[];
}

export type MediaKind = 'image' | 'audio' | 'voice' | 'video' | 'file' | 'sticker';

/** Inbound media is lazy: nothing is downloaded until the host asks. */
export interface Attachment {
  kind: MediaKind;
  mime?: string;
  name?: string;
  size?: number;
  /** Downloads (and decrypts, where the platform encrypts) into the media cache; resolves to the local path. */
  fetch(): Promise<string>;
  /**
   * The platform's own speech-to-text of a voice message (WeCom, DingTalk). The message's `text` carries the
   * same words, so a bot that reads only text still gets them; a host uses this to know they were spoken,
   * label them as a transcript and skip transcribing the audio itself.
   */
  transcript?: string;
}

export interface InboundMessage {
  id: string;
  chat: ChatRef;
  sender: Sender;
  /** Text with the bot mention already stripped where the platform puts one in. */
  text: string;
  mentionsBot: boolean;
  replyTo?: { id?: string; text?: string };
  attachments: Attachment[];
  receivedAt: Date;
  /**
   * Set by request/reply platforms (an HTTP client waiting on one request for the answer). The host answers
   * with `send()` to this chat, streams with `edit(chat, request.replyMessageId, textSoFar)` and stops the run
   * when `request.signal` aborts.
   */
  request?: RequestExchange;
  /**
   * Set by event platforms (webhooks): where the answer goes, as `<platform>:<chat>[:<thread>]`, or a bare
   * `<platform>` for that platform's home channel. Absent: answer where the message came from.
   */
  deliverTo?: string;
  /** Limits the platform puts on the turn this message starts (a webhook route's toolsets, a keyless server). */
  turnLimits?: TurnLimits;
  /**
   * The platform messages merged into this one (a split paste, an album), oldest first; `id` is the first's.
   * Absent for a single message. The host records every part's id, so a part the platform delivers again,
   * alone or merged with others, is recognised as taken and never answered twice (`mergeInboundBatch` sets it).
   */
  parts?: InboundMessage[];
  /**
   * The platform payload as received, for logging and debugging by an adapter's own users. The host never
   * reads it: whatever the host needs is a typed field above.
   */
  raw: unknown;
}

/** One message of the conversation a stateless client sends with each request. */
export interface RequestHistoryEntry {
  role: 'user' | 'assistant';
  content: string;
}

export interface RequestExchange {
  /** The id `edit()` streams into; the same id `send()` answers. */
  replyMessageId: string;
  /** The client asked for a streamed answer (SSE): stream edits as text arrives. */
  stream: boolean;
  /** The conversation as the client sent it; the API is stateless, so it wins over any stored transcript. */
  history: RequestHistoryEntry[];
  /** Extra system instructions from the client, layered on the host's own. */
  system: string[];
  /** Aborted when the client disconnects, the request times out or the server stops: stop the run. */
  signal: AbortSignal;
}

/**
 * Tool sets a turn may use. `toolsets` present: only those. `withoutToolsets`: everything the host offers
 * except those. Both absent: the host's default for the platform's kind.
 */
export interface TurnLimits {
  toolsets?: readonly string[];
  withoutToolsets?: readonly string[];
  /** Skills the turn may load (informational until skills exist). */
  skills?: readonly string[];
}

/** Token counts of one turn, in the OpenAI usage shape. */
export interface TurnUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ToolProgressReport {
  tool: string;
  /** One line a person can read, e.g. `💻 terminal: ls -la`. */
  label: string;
  phase?: 'start' | 'end' | 'update';
}

/** Why a waiting request ends without an answer; a request/reply adapter maps it to its own wire error. */
export type RequestFailureCode =
  | 'model_not_found'
  | 'model_auth_failed'
  | 'rate_limited'
  | 'context_too_long'
  | 'model_timeout'
  | 'model_unavailable'
  | 'bad_request'
  | 'internal_error';

export interface RequestFailure {
  code: RequestFailureCode;
  /** A sentence for the client: what went wrong and what to do. */
  message: string;
  retryAfterMs?: number;
}

/** One entry of a platform's command menu (Telegram's `/` list). */
export interface CommandMenuEntry {
  command: string;
  description: string;
}

export interface OutboundMedia {
  kind: MediaKind;
  /** A local file path. The host downloads URLs through the safe downloader first. */
  path: string;
  mime?: string;
  name?: string;
  caption?: string;
}

export interface OutboundMessage {
  /** Standard Markdown; the adapter renders its own dialect and splits to its own limit. */
  text?: string;
  /** `plain` sends the text without any formatting: the fallback after a platform rejected formatting. */
  format?: 'markdown' | 'plain';
  media?: OutboundMedia[];
  /** Platform message id the first chunk replies to. */
  replyTo?: string;
  threadId?: string;
  /**
   * Buttons under the message (on its last chunk), where `capabilities.buttons` is true. A press comes back
   * as an `InboundAction` through `AdapterContext.receiveAction`. Platforms without buttons ignore them, so
   * the text must say how to answer without them (`/approve`).
   */
  actions?: MessageAction[];
  /**
   * The same for every try of this reply chunk, unique across replies (the host derives it from its outbox
   * row). An adapter with `capabilities.idempotentSend` passes it to the platform's own dedupe field, with a
   * suffix per platform message when it splits the chunk, so a send repeated after a timeout or a crash
   * shows once. Others ignore it.
   */
  idempotencyKey?: string;
}

/** One button. `id` comes back in the `InboundAction`; platforms cap it (Telegram: 64 bytes). */
export interface MessageAction {
  id: string;
  label: string;
  style?: 'primary' | 'danger';
}

/** Someone pressed a button the host sent. */
export interface InboundAction {
  /** The platform's id of this press (callback query id, interaction id): the host dedupes on it. */
  id: string;
  chat: ChatRef;
  sender: Sender;
  /** The message that carries the button. */
  messageId: string;
  /** `MessageAction.id` of the pressed button. */
  actionId: string;
  receivedAt: Date;
  raw: unknown;
}

/**
 * A reply the platform streams natively (Telegram message drafts, Slack `chat.startStream`). The host calls
 * `update` with the whole text so far (the adapter sends the delta if its API wants one), then exactly one of
 * `finish` (the final text; the streamed message becomes the reply) or `abort` (a note marking it partial).
 */
export interface NativeReplyStream {
  update(textSoFar: string): Promise<SendResult>;
  finish(finalText: string): Promise<SendResult>;
  abort(note: string): Promise<SendResult>;
}

export type StartStreamResult = { ok: true; stream: NativeReplyStream } | { ok: false; error: AdapterError };

/**
 * What the adapter saw last, for the liveness watchdog and `hermes status`. Times are epoch milliseconds.
 * `lastHeartbeatAt` is the platform's own sign of life (a long poll that returned, a WebSocket heartbeat
 * ack); `heartbeatIntervalMs` says how often one is due while online, so a stall is visible.
 */
export interface AdapterLiveness {
  lastInboundAt?: number;
  lastSendAt?: number;
  lastHeartbeatAt?: number;
  heartbeatIntervalMs?: number;
}

export type SendResult = { ok: true; messageIds: string[] } | { ok: false; error: AdapterError };

/** The Markdown dialects core renders. `markdown` passes the Markdown through unchanged. */
export type MarkdownDialect = 'plain' | 'markdown' | 'telegram-html' | 'slack-mrkdwn' | 'matrix-html';

/** How a platform counts message length. */
export type LengthUnit = 'char' | 'utf16' | 'byte';

export interface Capabilities {
  maxMessageLength: number;
  lengthUnit: LengthUnit;
  markdown: MarkdownDialect;
  edit: boolean;
  delete: boolean;
  typing: boolean;
  reactions: boolean;
  threads: boolean;
  media: { send: MediaKind[]; receive: MediaKind[]; maxUploadBytes?: number };
  /** `reportUsage`, `reportToolProgress` and `failRequest` exist: the platform answers requests (API server). */
  requestReply?: boolean;
  /** `setCommands` exists: the platform shows a command menu the host can fill. */
  commandMenu?: boolean;
  /**
   * A second command prefix the host accepts inside threads, where the platform keeps `/` for its own
   * slash commands (Slack: `!help` in a thread).
   */
  threadCommandPrefix?: string;
  /**
   * `OutboundMessage.actions` are shown as buttons, presses come back through `receiveAction`, and
   * `settleActions` exists.
   */
  buttons?: boolean;
  /** `startStream` exists: the platform has a native streaming API. Without it the host streams by `edit`. */
  nativeStreaming?: boolean;
  /**
   * Sends and edits per chat the platform tolerates before it throttles. The host shares this budget
   * between stream edits, tool progress and final replies (finals first). Absent: one per second.
   */
  chatRateLimit?: { messages: number; perMs: number };
  /** `agentTools` exists: the platform gives the agent tools of its own (Home Assistant's `ha_*`). */
  agentTools?: boolean;
  /**
   * `send` passes `OutboundMessage.idempotencyKey` to a platform field that makes a repeated send with the
   * same key create no second message (Discord `nonce` + `enforce_nonce`, Matrix transaction ids, Feishu
   * `uuid`) for `windowMs` after the first: within it, a send whose outcome is unknown may be tried again.
   */
  idempotentSend?: { windowMs: number };
}

export type AdapterStatus = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'failed';

/** The media cache an adapter downloads into. Implemented in `media/media-cache.ts`. */
export interface MediaCacheLike {
  readonly dir: string;
  /** A fresh path inside the cache for a file of this (already sanitised) name. */
  pathFor(name: string): string;
}

export interface AdapterContext {
  /**
   * Hand a message to the host, after the adapter's own dedupe and text batching. A host may return a
   * promise that resolves once the message is durably recorded (rejecting when it could not be): an adapter
   * acknowledges the message to the platform only after awaiting it, so nothing acknowledged is lost.
   */
  receive(msg: InboundMessage): void | Promise<void>;
  /** Hand a button press to the host (platforms with `capabilities.buttons`), after acknowledging it. */
  receiveAction?(action: InboundAction): void;
  status(status: AdapterStatus, detail?: string): void;
  logger: Logger;
  mediaCache: MediaCacheLike;
  /** Aborted when the host shuts down; adapters stop retrying when it fires. */
  signal: AbortSignal;
  /**
   * True when another process may take this connection over (gateway replicas): what the adapter keeps in
   * memory or on local disk dies with this process, so it acknowledges to the platform only what it has
   * handed to the host, never a message it still holds back (a text batch waiting for its delay).
   */
  connectionHandoff?: boolean;
}

export type ProbeResult =
  | { ok: true; identity?: string; detail?: string }
  | { ok: false; error: AdapterError; fix?: string };

export interface PlatformAdapter {
  readonly platform: string;
  readonly capabilities: Capabilities;
  /** Resolves when online; fatal setup errors reject with an AdapterError. */
  start(ctx: AdapterContext): Promise<void>;
  /** Leaves no socket, server, timer or child process behind. */
  stop(): Promise<void>;
  /** Never throws: failures come back as `{ ok: false }`. */
  send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult>;
  edit?(chat: ChatRef, messageId: string, text: string): Promise<SendResult>;
  delete?(chat: ChatRef, messageId: string): Promise<boolean>;
  react?(chat: ChatRef, messageId: string, emoji: string): Promise<void>;
  typing?(chat: ChatRef): Promise<void>;
  /** Checks credentials without starting (used by `hermes doctor`). */
  probe?(): Promise<ProbeResult>;
  /** Request/reply platforms: token usage of the running request of this chat. False if none is waiting. */
  reportUsage?(chat: ChatRef, usage: TurnUsage): boolean;
  /** Request/reply platforms: a tool progress line for the running request. False if none is waiting. */
  reportToolProgress?(chat: ChatRef, progress: ToolProgressReport): boolean;
  /** Request/reply platforms: ends the waiting request with an error, not an answer. False if none is waiting. */
  failRequest?(chat: ChatRef, failure: RequestFailure): boolean;
  /** Platforms with a command menu: replaces it with the host's commands. */
  setCommands?(commands: readonly CommandMenuEntry[]): Promise<void>;
  /**
   * Platforms with buttons: removes the buttons of a message the host sent and shows `outcome` (e.g.
   * "✅ Approved by Ada") in their place, so nobody presses twice.
   */
  settleActions?(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult>;
  /** Platforms with `capabilities.nativeStreaming`: opens a streamed reply in the chat. */
  startStream?(chat: ChatRef, options: { replyTo?: string; threadId?: string }): Promise<StartStreamResult>;
  /** What the adapter saw last; every adapter should have it (the watchdog reconnects a stalled one). */
  liveness?(): AdapterLiveness;
  /**
   * Where clients reach the adapter's own server once it listens (the API server's `/v1`, the webhook
   * receiver), for the start banner and `hermes status`. Undefined while not listening.
   */
  publicUrl?(): string | undefined;
  /**
   * Platforms with `capabilities.agentTools`: tools the agent may call in every turn while the platform is
   * configured (Home Assistant's `ha_call_service`). Called once before `start()`; a tool run while the
   * platform is offline answers `ok: false` with the reason.
   */
  agentTools?(): readonly PlatformAgentTool[];
}

/** A call to a platform tool that changes something a person would want to confirm first. */
export interface PlatformToolApproval {
  /** What the user is asked to approve, e.g. `lock.unlock lock.front_door`. */
  command: string;
  reason: string;
  /** `/approve session|always` allows this key from then on, e.g. `homeassistant:lock`. */
  patternKey: string;
}

/**
 * A tool a platform gives the agent. Shaped like the agent's own tools, without depending on the agent:
 * the host wraps it and asks for approval first when `approval(args)` says so.
 */
export interface PlatformAgentTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments object (the OpenAI `tools[].function.parameters` shape). */
  parameters: Record<string, unknown>;
  /** The toolset per-turn limits name (e.g. `homeassistant`). */
  toolset: string;
  emoji?: string;
  /** The argument a progress line shows. */
  preview?(args: Record<string, unknown>): string | undefined;
  /** Returns what to ask when this call needs the user's approval; undefined runs it straight away. */
  approval?(args: Record<string, unknown>): PlatformToolApproval | undefined;
  execute(args: Record<string, unknown>, signal: AbortSignal): Promise<{ ok: boolean; output: string }>;
}

/**
 * What a platform carries: people chatting (`chat`), one-way events that start a turn and are answered
 * elsewhere (`events`: webhooks; never parsed as chat commands), or requests a client waits on
 * (`request-reply`: the API server).
 */
export type PlatformKind = 'chat' | 'events' | 'request-reply';

export type EnvLike = Readonly<Record<string, string | undefined>>;

/** How many stored responses a host keeps for an adapter, and for how long. */
export interface ResponseRetention {
  maxResponses: number;
  maxAgeMs: number;
}

/**
 * Durable storage for what a request/reply API promises to keep between requests (the Responses API's
 * stored responses, read back by id and continued with `previous_response_id`). The adapter owns the JSON
 * text's shape; the host only keeps it. `scope` separates callers (e.g. a fingerprint of their API key): a
 * record is found only in the scope it was put in. Records past the retention are never returned.
 */
export interface ResponseRecordStore {
  get(id: string, scope: string): Promise<string | undefined>;
  /** Resolves once the record would survive a restart of the host. */
  put(id: string, scope: string, json: string): Promise<void>;
}

/**
 * What a host lends every adapter it creates; an adapter uses what it needs and ignores the rest, so the
 * host stays platform-blind. Everything is optional: a bare library user passes nothing.
 */
export interface AdapterServices {
  /** A durable response store for this platform (the gateway: state.db), bounded by `retention`. */
  openResponseStore?(retention: ResponseRetention): ResponseRecordStore;
}

/** A bot created by scanning a QR code in the platform's app (WeCom): what the code encodes, then the result. */
export interface PlatformScanSession {
  /** What the QR code encodes; also shown as a link for a phone that cannot read the terminal. */
  link: string;
  /** Resolves with the env values of the created bot; rejects with an AdapterError (code, fix) otherwise. */
  credentials(): Promise<Record<string, string>>;
}

/** A platform whose app can create the bot from a scanned QR code; a setup wizard offers it first. */
export interface PlatformScanToCreate {
  /** The menu line that offers it. */
  label: string;
  /** How long a wizard should wait for the scan. */
  timeoutMs: number;
  start(env: EnvLike, signal: AbortSignal): Promise<PlatformScanSession>;
}

/**
 * What the gateway's platform catalog needs to know about an adapter package, without importing its SDK
 * until the platform is enabled.
 */
/** See `PlatformDescriptor.connectionScope`. */
export type PlatformConnectionScope = 'exclusive' | 'shared';

export interface PlatformDescriptor<Config = unknown> {
  platform: string;
  label: string;
  /** Default `chat`. */
  kind?: PlatformKind;
  /**
   * How the platform scales out over several gateway replicas sharing one database. `exclusive` (the
   * default): the bot has one long-lived connection (a poll loop, a socket, a mailbox) that exactly one
   * replica may hold at a time. `shared`: inbound HTTP requests any replica can serve behind a load balancer.
   */
  connectionScope?: PlatformConnectionScope;
  /** All of these set means the platform is enabled from the environment. */
  requiredEnv: readonly string[];
  optionalEnv: readonly string[];
  /** Never printed, always redacted from logs. */
  secretEnv: readonly string[];
  allowedUsersEnv?: string;
  allowAllUsersEnv?: string;
  /** Role ids or names whose members are allowed (Discord `DISCORD_ALLOWED_ROLES`), where the platform has roles. */
  allowedRolesEnv?: string;
  homeChannelEnv?: string;
  /**
   * What an unknown user's DM gets when config.yaml says nothing for this platform: a pairing code
   * (`pair`, the default) or nothing (`ignore`: email, where a reply to a stranger is spam and a loop risk).
   */
  unauthorizedDmDefault?: 'pair' | 'ignore';
  /**
   * The platform's canonical form of a user id as people write it in an allowlist (Discord `<@123>` → `123`,
   * WeCom ids are case-insensitive). Applied to both sides before comparing. Default: trimmed as is.
   */
  normalizeUserId?(id: string): string;
  /** Plain words: where to get the credentials and what to set. */
  setupHelp: string;
  configSchema: ZodType<Config>;
  /** Reads the Hermes env var names, merged over `platforms.<p>` from config.yaml. */
  configFromEnv(env: EnvLike, fileConfig?: Record<string, unknown>): Config;
  /** Creating the bot by a QR scan in the platform's app, where the platform has that. */
  scanToCreate?: PlatformScanToCreate;
  /** `services`: what the host offers (see `AdapterServices`); absent when a library user creates it. */
  createAdapter(config: Config, services?: AdapterServices): PlatformAdapter;
}
