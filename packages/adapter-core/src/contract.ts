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
  /** The platform payload as received, for host features the contract does not model. */
  raw: unknown;
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
}

export type AdapterStatus = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'failed';

/** The media cache an adapter downloads into. Implemented in `media/media-cache.ts`. */
export interface MediaCacheLike {
  readonly dir: string;
  /** A fresh path inside the cache for a file of this (already sanitised) name. */
  pathFor(name: string): string;
}

export interface AdapterContext {
  /** Hand a message to the host, after the adapter's own dedupe and text batching. */
  receive(msg: InboundMessage): void;
  status(status: AdapterStatus, detail?: string): void;
  logger: Logger;
  mediaCache: MediaCacheLike;
  /** Aborted when the host shuts down; adapters stop retrying when it fires. */
  signal: AbortSignal;
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
}

export type EnvLike = Readonly<Record<string, string | undefined>>;

/**
 * What the gateway's platform catalog needs to know about an adapter package, without importing its SDK
 * until the platform is enabled.
 */
export interface PlatformDescriptor<Config = unknown> {
  platform: string;
  label: string;
  /** All of these set means the platform is enabled from the environment. */
  requiredEnv: readonly string[];
  optionalEnv: readonly string[];
  /** Never printed, always redacted from logs. */
  secretEnv: readonly string[];
  allowedUsersEnv?: string;
  allowAllUsersEnv?: string;
  homeChannelEnv?: string;
  /** Plain words: where to get the credentials and what to set. */
  setupHelp: string;
  configSchema: ZodType<Config>;
  /** Reads the Hermes env var names, merged over `platforms.<p>` from config.yaml. */
  configFromEnv(env: EnvLike, fileConfig?: Record<string, unknown>): Config;
  createAdapter(config: Config): PlatformAdapter;
}
