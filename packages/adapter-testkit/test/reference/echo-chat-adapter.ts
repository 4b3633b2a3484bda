import { readFile } from 'node:fs/promises';
import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  adapterErrorFromHttpStatus,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  DedupeCache,
  LivenessTracker,
  type MarkdownDialect,
  type OutboundMedia,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  prepareOutboundText,
  type SendResult,
  toAdapterError,
  withRetry,
} from '@hermes/adapter-core';
import {
  closeEchoChatSocket,
  type EchoChatIncoming,
  type EchoChatSocket,
  openEchoChatSocket,
} from './echo-chat-connection.js';
import { ECHO_CHAT_PLATFORM, problemWithMessageEvent, toInboundMessage } from './echo-chat-inbound.js';
import type { EchoChatMe, EchoChatMessageEvent } from './protocol.js';

/** The fake's gateway expects a ping this often; the watchdog calls the platform stalled after 3 missed. */
const HEARTBEAT_MS = 10_000;

export interface EchoChatFeatures {
  threads: boolean;
  media: boolean;
  edit: boolean;
  delete: boolean;
  typing: boolean;
  reactions: boolean;
}

/** Deliberate defects, so the testkit's own tests can prove each scenario catches them. */
export interface EchoChatDefects {
  noDedupe?: boolean;
  noAck?: boolean;
  ignoreRetryAfter?: boolean;
  noSplit?: boolean;
  /** Declares edit false while still having edit(). */
  hideEditFlag?: boolean;
  /** stop() reports offline but leaves the connection loop running. */
  stopDoesNothing?: boolean;
  /** A second start() connects again instead of refusing. */
  restartsOnSecondStart?: boolean;
  /** The config (with the token) is a public field. */
  publicConfig?: boolean;
  /** No liveness() member. */
  noLiveness?: boolean;
}

export interface EchoChatConfig {
  baseUrl: string;
  token: string;
  maxMessageLength?: number;
  lengthUnit?: Capabilities['lengthUnit'];
  /** How the platform shows formatting; core renders the agent's Markdown to it. */
  markdown?: MarkdownDialect;
  requireMention?: boolean;
  /** The fake platform is on 127.0.0.1, which the safe downloader refuses unless allowed. */
  mediaAllowPrivate?: boolean;
  features?: Partial<EchoChatFeatures>;
  defects?: EchoChatDefects;
}

const ALL_FEATURES: EchoChatFeatures = {
  threads: true,
  media: true,
  edit: true,
  delete: true,
  typing: true,
  reactions: true,
};

/** TEST-ONLY reference adapter for the made-up echo-chat platform: a worked example for adapter authors. */
export class EchoChatAdapter implements PlatformAdapter {
  readonly platform = ECHO_CHAT_PLATFORM;
  readonly capabilities: Capabilities;
  readonly edit?: (chat: ChatRef, messageId: string, text: string) => Promise<SendResult>;
  readonly delete?: (chat: ChatRef, messageId: string) => Promise<boolean>;
  readonly react?: (chat: ChatRef, messageId: string, emoji: string) => Promise<void>;
  readonly typing?: (chat: ChatRef) => Promise<void>;
  readonly #config: EchoChatConfig;
  readonly #defects: EchoChatDefects;
  readonly #seen = new DedupeCache();
  #ctx: AdapterContext | undefined;
  #me: EchoChatMe | undefined;
  #supervisor: ConnectionSupervisor | undefined;
  #socket: EchoChatSocket | undefined;
  #running = false;
  readonly #liveness = new LivenessTracker(HEARTBEAT_MS);
  readonly liveness?: () => AdapterLiveness;
  readonly exposedConfig?: EchoChatConfig;

  constructor(config: EchoChatConfig) {
    this.#config = config;
    this.#defects = config.defects ?? {};
    if (!this.#defects.noLiveness) this.liveness = () => this.#liveness.liveness();
    if (this.#defects.publicConfig) this.exposedConfig = config;
    const f = { ...ALL_FEATURES, ...config.features };
    this.capabilities = {
      maxMessageLength: config.maxMessageLength ?? 500,
      lengthUnit: config.lengthUnit ?? 'utf16',
      markdown: config.markdown ?? 'markdown',
      edit: f.edit && !this.#defects.hideEditFlag,
      delete: f.delete,
      typing: f.typing,
      reactions: f.reactions,
      threads: f.threads,
      media: f.media
        ? { send: ['image', 'file'], receive: ['image', 'file'], maxUploadBytes: 5_000_000 }
        : { send: [], receive: [] },
    };
    // Optional methods exist exactly when the feature is on: the contract ties them to the flags.
    if (f.edit) this.edit = (chat, id, text) => this.#edit(chat, id, text);
    if (f.delete) this.delete = (chat, id) => this.#delete(chat, id);
    if (f.reactions) this.react = (chat, id, emoji) => this.#react(chat, id, emoji);
    if (f.typing) this.typing = (chat) => this.#typing(chat);
  }

  async probe(): Promise<ProbeResult> {
    try {
      const me = await this.#fetchMe();
      return { ok: true, identity: `${me.name} (${me.id})` };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, this.platform) };
    }
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running && !this.#defects.restartsOnSecondStart)
      throw new AdapterError('already_started', 'start() called while running; call stop() first', {
        platform: this.platform,
      });
    this.#running = true;
    this.#liveness.resetHeartbeat();
    this.#ctx = ctx;
    this.#me = await this.#fetchMe();
    const supervisor = new ConnectionSupervisor({
      name: this.platform,
      logger: ctx.logger,
      signal: ctx.signal,
      backoff: { kind: 'schedule', delaysMs: [100, 250, 500, 1000], jitter: 0 },
      onActivity: () => this.#liveness.heartbeat(),
      heartbeat: {
        intervalMs: HEARTBEAT_MS,
        timeoutMs: 5_000,
        send: () => this.#socket?.ping() ?? Promise.reject(new Error('no socket')),
      },
      onStatus: (status, detail) => ctx.status(status, detail),
      connect: async (signal) => {
        const socket = await openEchoChatSocket({
          baseWsUrl: this.#config.baseUrl.replace(/^http/, 'ws'),
          token: this.#config.token,
          signal,
          onFrame: (incoming) => this.#onFrame(incoming),
        });
        this.#socket = socket;
        return socket;
      },
    });
    this.#supervisor = supervisor;
    await supervisor.start();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#defects.stopDoesNothing) {
      this.#ctx?.status('offline', 'stopped');
      return;
    }
    await this.#supervisor?.stop();
    await closeEchoChatSocket(this.#socket);
    this.#socket = undefined;
  }

  async send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    if (!this.#running)
      return {
        ok: false,
        error: new AdapterError('not_connected', 'send() while the adapter is not started', {
          platform: this.platform,
        }),
      };
    try {
      const ids: string[] = [];
      const thread = msg.threadId ?? chat.threadId;
      const chunks = msg.text ? this.#chunks(msg.text, msg.format) : [];
      for (const [i, text] of chunks.entries()) {
        const body = {
          text,
          ...(thread ? { thread } : {}),
          ...(i === 0 && msg.replyTo ? { reply_to: msg.replyTo } : {}),
        };
        const res = await this.#call<{ message: { id: string } }>(
          'POST',
          `/api/chats/${enc(chat.chatId)}/messages`,
          body,
        );
        ids.push(res.message.id);
        this.#liveness.sent();
      }
      for (const media of msg.media ?? []) ids.push(await this.#upload(chat, media));
      return { ok: true, messageIds: ids };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, this.platform) };
    }
  }

  /** Core renders to the dialect and splits to the limit, never inside a fence, never truncating. */
  #chunks(text: string, format: OutboundMessage['format']): string[] {
    if (this.#defects.noSplit) return [text];
    return prepareOutboundText(text, this.capabilities, format).map((chunk) => chunk.rendered);
  }

  async #upload(chat: ChatRef, media: OutboundMedia): Promise<string> {
    const bytes = await readFile(media.path);
    const max = this.capabilities.media.maxUploadBytes ?? Number.POSITIVE_INFINITY;
    if (bytes.length > max) {
      throw new AdapterError(
        'too_large',
        `${media.name ?? media.path} is ${bytes.length} bytes, echo chat takes at most ${max}`,
        {
          platform: this.platform,
          fix: 'send a smaller file',
        },
      );
    }
    const query = new URLSearchParams({ name: media.name ?? 'file', kind: media.kind });
    const res = await this.#call<{ message: { id: string } }>(
      'POST',
      `/api/chats/${enc(chat.chatId)}/files?${query}`,
      bytes,
      media.mime,
    );
    return res.message.id;
  }

  async #edit(chat: ChatRef, id: string, text: string): Promise<SendResult> {
    try {
      await this.#call('PATCH', `/api/chats/${enc(chat.chatId)}/messages/${enc(id)}`, { text });
      return { ok: true, messageIds: [id] };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, this.platform) };
    }
  }

  async #delete(chat: ChatRef, id: string): Promise<boolean> {
    try {
      await this.#call('DELETE', `/api/chats/${enc(chat.chatId)}/messages/${enc(id)}`);
      return true;
    } catch (error) {
      this.#ctx?.logger.warn('echo-chat: delete failed', { error: toAdapterError(error).message });
      return false;
    }
  }

  async #react(chat: ChatRef, id: string, emoji: string): Promise<void> {
    await this.#call('POST', `/api/chats/${enc(chat.chatId)}/messages/${enc(id)}/reactions`, { emoji });
  }

  async #typing(chat: ChatRef): Promise<void> {
    await this.#call('POST', `/api/chats/${enc(chat.chatId)}/typing`, {});
  }

  #onFrame(incoming: EchoChatIncoming): void {
    const ctx = this.#ctx;
    if (ctx === undefined || this.#me === undefined) return;
    this.#supervisor?.markActivity();
    if (!incoming.ok) {
      ctx.logger.warn('echo-chat: dropped a frame that is not JSON', {
        error: incoming.error,
        bytes: incoming.text.length,
      });
      return;
    }
    const type = (incoming.frame as { type?: unknown }).type;
    if (type !== 'message') {
      ctx.logger.warn('echo-chat: dropped a frame of unknown type', { type: String(type) });
      return;
    }
    const problem = problemWithMessageEvent(incoming.frame);
    if (problem !== undefined) {
      ctx.logger.warn(`echo-chat: dropped a malformed message event (${problem})`);
      return;
    }
    const event = incoming.frame as EchoChatMessageEvent;
    if (!this.#defects.noAck) this.#socket?.send({ type: 'ack', id: event.id });
    if (!this.#defects.noDedupe && this.#seen.seen(event.id)) return;
    if (event.from.id === this.#me.id) return;
    this.#liveness.inbound();
    const msg = toInboundMessage(event, {
      me: this.#me,
      baseUrl: this.#config.baseUrl,
      token: this.#config.token,
      mediaCache: ctx.mediaCache,
      mediaAllowPrivate: this.#config.mediaAllowPrivate ?? false,
      maxDownloadBytes: 20_000_000,
      logger: ctx.logger,
    });
    if (msg.chat.chatType === 'group' && !msg.mentionsBot && this.#config.requireMention) return;
    ctx.receive(msg);
  }

  async #fetchMe(): Promise<EchoChatMe> {
    return (await this.#call<{ me: EchoChatMe }>('GET', '/api/me')).me;
  }

  /** One REST call with core's retry: network errors, 5xx and 429 (after retry_after) are retried. */
  #call<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const label = `echo-chat ${method} ${path.split('?')[0]}`;
    return withRetry(() => this.#once<T>(method, path, body, contentType), {
      maxAttempts: 3,
      backoff: { kind: 'exponential', initialMs: 50, maxMs: 500, jitter: 0 },
      label,
      ...(this.#ctx ? { logger: this.#ctx.logger, signal: this.#ctx.signal } : {}),
    });
  }

  async #once<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const raw = Buffer.isBuffer(body);
    const headers: Record<string, string> = { authorization: `Bearer ${this.#config.token}` };
    if (body !== undefined)
      headers['content-type'] = raw ? (contentType ?? 'application/octet-stream') : 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.#config.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: raw ? new Uint8Array(body as Buffer) : JSON.stringify(body) }),
      });
    } catch (error) {
      // undici hides the socket error in `cause`; a reset before any answer is safe to retry.
      throw toAdapterError((error as Error).cause ?? error, this.platform);
    }
    const text = await res.text();
    let json: { ok?: boolean; error?: string; retry_after?: number } & Record<string, unknown>;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AdapterError(
        'protocol',
        `echo chat answered ${method} ${path} with a body that is not JSON`,
        {
          platform: this.platform,
          retryable: false,
        },
      );
    }
    if (!res.ok || json.ok !== true) {
      const retryAfter = Number(res.headers.get('retry-after') ?? json.retry_after);
      throw adapterErrorFromHttpStatus(
        res.status,
        `echo chat ${method} ${path}: ${json.error ?? res.status}`,
        {
          platform: this.platform,
          ...(Number.isFinite(retryAfter) && !this.#defects.ignoreRetryAfter
            ? { retryAfterSeconds: retryAfter }
            : {}),
        },
      );
    }
    return json as T;
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
