import { dirname, join } from 'node:path';
import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createSendPacer,
  DedupeCache,
  isAdapterError,
  isFatalConnectionError,
  LivenessTracker,
  notConnectedError,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendPacer,
  type SendResult,
  silentLogger,
  toAdapterError,
} from '@hermes/adapter-core';
import { SyncState } from 'matrix-js-sdk';
import {
  type MatrixConfig,
  type MatrixConfigInput,
  normalizeMatrixUserId,
  parseMatrixConfig,
} from './config.js';
import { formatMatrixText, MATRIX_CAPABILITIES } from './format.js';
import { homeserverIsPrivate } from './homeserver-address.js';
import { mapMatrixInbound } from './inbound.js';
import { matrixAttachment } from './media.js';
import { editContent, reactionContent, textBody, textContent } from './message-content.js';
import { sendMatrixMessage, sendPaced } from './outbound.js';
import type { MatrixTimelineEnvelope } from './timeline-envelope.js';
import { MatrixTransport } from './transport.js';

const PLATFORM = 'matrix';

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  transport: MatrixTransport;
  supervisor: ConnectionSupervisor;
  pacer: SendPacer;
  dedupe: DedupeCache;
  /** The SDK reported a failed /sync: the next successful one means online again. */
  reconnecting: boolean;
}

function isFatal(error: unknown): boolean {
  return isFatalConnectionError(error) || (isAdapterError(error) && error.code === 'unsupported');
}

/**
 * Without E2EE a keyed send is deduped by the homeserver for the device the adapter keeps across restarts.
 * With E2EE it is not promised: every start logs in a new device (README, limits), and transaction ids are
 * scoped to the device, so a reply repeated after a restart would show twice; in encrypted rooms the SDK
 * also refuses to reuse a transaction id within the process (transport.ts).
 */
function capabilitiesFor(config: MatrixConfig): Capabilities {
  if (!config.encryption) return MATRIX_CAPABILITIES;
  const { idempotentSend: _notWithEncryption, ...rest } = MATRIX_CAPABILITIES;
  return rest;
}

/**
 * The Matrix adapter (matrix-js-sdk): /sync long poll with a persisted position, DMs and rooms with
 * mention gating, threads, replies, edits, reactions, typing, media through the authenticated content
 * repository, auto-join on invites from allowed users, optional E2EE.
 */
export class MatrixAdapter implements PlatformAdapter {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities;
  // Private: the config holds the token and password, and nothing public may expose them.
  readonly #config: MatrixConfig;
  #running: Running | undefined;
  readonly #liveness: LivenessTracker;

  constructor(config: MatrixConfigInput) {
    this.#config = parseMatrixConfig(config);
    this.capabilities = capabilitiesFor(this.#config);
    // A /sync returns at least once per poll timeout while the server is reachable.
    this.#liveness = new LivenessTracker(this.#config.syncTimeoutMs + 15_000);
  }

  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  #stateDir(ctx: AdapterContext | undefined): string {
    if (this.#config.stateDir !== undefined) return this.#config.stateDir;
    if (ctx === undefined) return join(process.cwd(), '.hermes-matrix');
    return join(dirname(ctx.mediaCache.dir), PLATFORM);
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) {
      throw alreadyStartedError(PLATFORM, 'MatrixAdapter');
    }
    // An hour: long enough to cover a restart, on top of the persisted /sync position.
    const dedupe = new DedupeCache({ ttlMs: 60 * 60_000 });
    const transport = new MatrixTransport({
      config: this.#config,
      stateDir: this.#stateDir(ctx),
      logger: ctx.logger,
      onEvent: (envelope) => this.#onEvent(envelope),
      onInvite: (roomId, inviter) => this.#onInvite(roomId, inviter),
      onSyncState: (state) => this.#onSyncState(state),
      seen: () => dedupe.export(),
      restoreSeen: (entries) => dedupe.import(entries),
    });
    const supervisor = new ConnectionSupervisor({
      name: PLATFORM,
      logger: ctx.logger,
      connect: (signal) => transport.connect(signal),
      onStatus: (status, detail) => ctx.status(status, detail),
      onActivity: () => this.#liveness.heartbeat(),
      isFatal,
      signal: ctx.signal,
      connectTimeoutMs: this.#config.syncTimeoutMs + 30_000,
    });
    const pacer = createSendPacer({ logger: ctx.logger });
    const running: Running = { ctx, transport, supervisor, pacer, dedupe, reconnecting: false };
    this.#running = running;
    this.#liveness.resetHeartbeat();
    try {
      await supervisor.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.supervisor.stop();
    running.pacer.close();
    await running.transport.shutdown();
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(PLATFORM, 'MatrixAdapter', 'send');
    const result = await sendMatrixMessage(running.transport, running.pacer, chat, message);
    if (result.ok) this.#liveness.sent();
    return result;
  }

  /**
   * Replaces the text of a message the bot sent (m.replace), the host's way of streaming. Text past the
   * message limit goes out as new messages after it, in the same thread.
   */
  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(PLATFORM, 'MatrixAdapter', 'edit');
    const chunks = formatMatrixText(text);
    const [first, ...rest] = chunks;
    if (first === undefined) {
      return {
        ok: false,
        error: new AdapterError('bad_request', 'edit() with empty text', { platform: PLATFORM }),
      };
    }
    try {
      const roomId = chat.chatId;
      await sendPaced(
        running.transport,
        running.pacer,
        roomId,
        'm.room.message',
        editContent(messageId, textBody(first, 'markdown')),
      );
      const ids = [messageId];
      for (const chunk of rest) {
        const content = textContent(
          chunk,
          'markdown',
          chat.threadId !== undefined ? { threadId: chat.threadId } : {},
        );
        ids.push(
          (await sendPaced(running.transport, running.pacer, roomId, 'm.room.message', content)).eventId,
        );
      }
      this.#liveness.sent();
      return { ok: true, messageIds: ids };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, PLATFORM) };
    }
  }

  async delete(chat: ChatRef, messageId: string): Promise<boolean> {
    const running = this.#running;
    if (!running) return false;
    try {
      await running.pacer.run(chat.chatId, () => running.transport.redact(chat.chatId, messageId));
      return true;
    } catch (error) {
      running.ctx.logger.warn('Matrix redaction failed', {
        platform: PLATFORM,
        error: (error as Error).message,
      });
      return false;
    }
  }

  async react(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnectedError(PLATFORM, 'MatrixAdapter', 'react');
    await sendPaced(
      running.transport,
      running.pacer,
      chat.chatId,
      'm.reaction',
      reactionContent(messageId, emoji),
    );
  }

  async typing(chat: ChatRef): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnectedError(PLATFORM, 'MatrixAdapter', 'typing');
    await running.transport.typing(chat.chatId, true);
  }

  async probe(): Promise<ProbeResult> {
    const logger = this.#running?.ctx.logger ?? silentLogger;
    const transport = new MatrixTransport({
      config: this.#config,
      stateDir: this.#stateDir(this.#running?.ctx),
      logger,
      onEvent: () => {},
      onInvite: () => {},
      onSyncState: () => {},
      seen: () => [],
      restoreSeen: () => {},
    });
    try {
      const me = await transport.whoAmI();
      return { ok: true, identity: me.id, ...(me.deviceId ? { detail: `device ${me.deviceId}` } : {}) };
    } catch (error) {
      const adapterError = toAdapterError(error, PLATFORM);
      return adapterError.fix === undefined
        ? { ok: false, error: adapterError }
        : { ok: false, error: adapterError, fix: adapterError.fix };
    } finally {
      await transport.shutdown();
    }
  }

  #onSyncState(state: SyncState): void {
    const running = this.#running;
    if (!running) return;
    if (state === SyncState.Syncing) {
      running.supervisor.markActivity();
      if (running.reconnecting) {
        running.reconnecting = false;
        running.ctx.status('online', 'sync resumed');
      }
    } else if ((state === SyncState.Reconnecting || state === SyncState.Error) && !running.reconnecting) {
      running.reconnecting = true;
      running.ctx.status('reconnecting', `sync failed (${state}); matrix-js-sdk is retrying`);
    }
  }

  #allowed(userId: string | undefined): boolean {
    if (userId === undefined) return false;
    if (this.#config.allowAllUsers) return true;
    const id = normalizeMatrixUserId(userId);
    return this.#config.allowedUsers.some((allowed) => normalizeMatrixUserId(allowed) === id);
  }

  #onInvite(roomId: string, inviter: string | undefined): void {
    const running = this.#running;
    if (!running || !this.#config.autoJoin) return;
    if (!this.#allowed(inviter)) {
      running.ctx.logger.info('ignored a Matrix invite from a user who is not allowed', {
        platform: PLATFORM,
        roomId,
        inviter,
      });
      return;
    }
    running.transport.join(roomId).then(
      () =>
        running.ctx.logger.info('joined a Matrix room on invite', { platform: PLATFORM, roomId, inviter }),
      (error: unknown) =>
        running.ctx.logger.warn('could not join a Matrix room after an invite', {
          platform: PLATFORM,
          roomId,
          error: (error as Error).message,
        }),
    );
  }

  #onEvent(envelope: MatrixTimelineEnvelope): void {
    const running = this.#running;
    if (!running) return;
    const transport = running.transport;
    const result = mapMatrixInbound(envelope, {
      botUserId: transport.userId,
      requireMention: this.#config.requireMention,
      attachment: (media) =>
        matrixAttachment(media, {
          cache: running.ctx.mediaCache,
          maxBytes: this.#config.maxMediaBytes,
          resolve: (mxc) => transport.mediaDownload(mxc),
          homeserverIsPrivateOk:
            this.#config.allowPrivateMedia || homeserverIsPrivate(this.#config.homeserver),
        }),
      now: () => new Date(),
    });
    if (result.kind === 'malformed') {
      running.ctx.logger.warn('dropped a malformed Matrix event', {
        platform: PLATFORM,
        problem: result.problem,
      });
      return;
    }
    if (result.kind === 'ignored') {
      running.ctx.logger.debug('ignored a Matrix event', { platform: PLATFORM, reason: result.reason });
      return;
    }
    // A restart or a retried /sync can hand over an event again; the host must see each message once.
    if (running.dedupe.seen(result.message.id)) return;
    this.#liveness.inbound();
    running.ctx.receive(result.message);
  }
}

/** Validates the config (throws AdapterError 'config_invalid' naming the key) and builds the adapter. */
export function createMatrixAdapter(config: MatrixConfigInput): MatrixAdapter {
  return new MatrixAdapter(config);
}
