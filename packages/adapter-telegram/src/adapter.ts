import { dirname, join } from 'node:path';
import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  type ConnectionSupervisor,
  createRedactingLogger,
  createSendPacer,
  DedupeCache,
  LivenessTracker,
  type Logger,
  notConnectedError,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendPacer,
  type SendResult,
  type StartStreamResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { TelegramBotApi } from './api/bot-api.js';
import { identityOf, type TelegramBotIdentity } from './api/results.js';
import { telegramCapabilities } from './capabilities.js';
import {
  parseTelegramConfig,
  type TelegramCommand,
  type TelegramConfig,
  type TelegramConfigInput,
  telegramCommandSchema,
} from './config.js';
import {
  TELEGRAM_ALLOWED_UPDATES,
  TELEGRAM_DEFAULT_API_ROOT,
  TELEGRAM_PLATFORM,
  TELEGRAM_UPLOAD_MAX_BYTES,
  telegramPollHeartbeatMs,
} from './constants.js';
import { telegramAttachment } from './intake/attachments.js';
import { TelegramPressHandler } from './intake/press-handler.js';
import { TelegramIntake } from './intake/telegram-intake.js';
import { draftsAllowedIn, TelegramDraftStream } from './outbound/draft-stream.js';
import { TelegramSender } from './outbound/telegram-sender.js';
import { TelegramHandoffGate } from './state/handoff-gate.js';
import { type TelegramUpdateState, UpdateStateFile } from './state/update-state.js';
import { createTelegramLongPoll } from './transport/long-poll.js';
import { TelegramWebhookServer } from './transport/webhook-server.js';

/** A self-hosted Bot API server takes uploads up to 2000 MB. */
const SELF_HOSTED_UPLOAD_MAX_BYTES = 2000 * 1024 * 1024;

/** Everything that lives from start() to stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  api: TelegramBotApi;
  pacer: SendPacer;
  sender: TelegramSender;
  presses: TelegramPressHandler;
  dedupe: DedupeCache;
  stateFile: UpdateStateFile;
  /** Held updates of the previous run, replayed once the bot's identity is known. */
  replay: unknown[];
  intake?: TelegramIntake;
  poller?: ConnectionSupervisor;
  webhook?: TelegramWebhookServer;
  webhookDeleted: boolean;
  /** Present when another replica may take the connection over (ctx.connectionHandoff). */
  handoff?: TelegramHandoffGate;
}

/**
 * With a handoff, while updates are held the next getUpdates starts at the oldest of them and Telegram
 * answers at once with what this replica already has: polls are spaced by this much meanwhile.
 */
const HANDOFF_POLL_PAUSE_MS = 250;

function updateIdOf(raw: unknown): number | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { update_id?: unknown }).update_id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/**
 * The Telegram adapter: long polling (or a webhook) through telegraf's Bot API client, an offset that is
 * persisted before Telegram is told anything was handled, intake with mention rules, albums and split
 * pastes merged, and replies rendered to Telegram HTML, split at 4096 UTF-16 units and paced per chat.
 */
export class TelegramAdapter implements PlatformAdapter {
  readonly platform = TELEGRAM_PLATFORM;
  readonly capabilities: Capabilities;
  /** Present unless TELEGRAM_REACTIONS is off (the capability flag follows). */
  readonly react?: (chat: ChatRef, messageId: string, emoji: string) => Promise<void>;
  /** Holds the token: never exposed. */
  readonly #config: TelegramConfig;
  #liveness: LivenessTracker;
  #commands: TelegramCommand[];
  #identity: TelegramBotIdentity | undefined;
  /** The offset on disk. */
  #offset = 0;
  /** The offset the next state write records: every update below it was handed over or is held. */
  #handledTo = 0;
  #running: Running | undefined;

  constructor(config: TelegramConfigInput | TelegramConfig) {
    this.#config = parseTelegramConfig(config);
    this.#commands = [...this.#config.commands];
    this.#liveness = this.#newLiveness();
    this.capabilities = { ...telegramCapabilities, reactions: this.#config.reactions };
    if (this.#config.reactions) {
      this.react = async (chat, messageId, emoji) => {
        await this.#need('react').sender.react(chat, messageId, emoji);
      };
    }
  }

  /** The bot as getMe described it, once started. */
  get identity(): TelegramBotIdentity | undefined {
    return this.#identity;
  }

  /**
   * Every update below this offset is accounted for: handed to the host, dropped on purpose or held. It is
   * in the state file before any getUpdates confirms it to Telegram; while polling, that write may still
   * be under way when this moves (it is done by the time stop() resolves).
   */
  get committedOffset(): number {
    return this.#handledTo;
  }

  /** The local port of the webhook server while running in webhook mode. */
  get webhookPort(): number | undefined {
    return this.#running?.webhook?.port;
  }

  /** Where the offset and held updates live for this bot. */
  stateFilePath(ctx: Pick<AdapterContext, 'mediaCache'>): string {
    const dir = this.#config.stateDir ?? join(dirname(ctx.mediaCache.dir), 'telegram');
    return join(dir, `updates-${this.#config.token.split(':')[0]}.json`);
  }

  /**
   * Polling: a getUpdates answer is due every poll timeout, so a silent link is a stall. Webhook mode
   * has no heartbeat: waiting for Telegram to call is not a stall.
   */
  #newLiveness(): LivenessTracker {
    return new LivenessTracker(
      this.#config.webhook ? undefined : telegramPollHeartbeatMs(this.#config.pollTimeoutSeconds),
    );
  }

  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) throw alreadyStartedError(TELEGRAM_PLATFORM, 'TelegramAdapter');
    this.#liveness.resetHeartbeat();
    const secrets = [this.#config.token, this.#config.webhook?.secret];
    const logger = createRedactingLogger(ctx.logger.child({ platform: TELEGRAM_PLATFORM }), secrets);
    const api = new TelegramBotApi({
      token: this.#config.token,
      apiRoot: this.#config.apiRoot,
      requestTimeoutMs: this.#config.requestTimeoutMs,
    });
    const stateFile = new UpdateStateFile(this.stateFilePath(ctx), logger);
    const state = stateFile.load();
    const dedupe = new DedupeCache(this.#config.dedupe);
    dedupe.import(state.seen);
    // With a handoff, another replica may have held the connection since this file was written: its offset
    // could confirm updates nobody handled. Telegram's own confirmed position is the one to start from.
    const offset = ctx.connectionHandoff ? 0 : state.offset;
    this.#offset = offset;
    this.#handledTo = offset;
    const pacer = this.#createPacer(ctx, logger);
    const sender = new TelegramSender({
      api,
      pacer,
      logger,
      capabilities: this.capabilities,
      uploadTimeoutMs: this.#config.uploadTimeoutMs,
      maxUploadBytes:
        this.#config.apiRoot === TELEGRAM_DEFAULT_API_ROOT
          ? TELEGRAM_UPLOAD_MAX_BYTES
          : SELF_HOSTED_UPLOAD_MAX_BYTES,
    });
    const presses = new TelegramPressHandler({
      api,
      logger,
      receiveAction: ctx.receiveAction ? (action) => ctx.receiveAction?.(action) : undefined,
      signal: ctx.signal,
    });
    const running: Running = {
      ctx,
      logger,
      api,
      pacer,
      sender,
      presses,
      dedupe,
      stateFile,
      replay: state.held,
      webhookDeleted: false,
    };
    if (ctx.connectionHandoff) {
      const heldIds = () => (running.intake?.held() ?? []).flatMap((raw) => updateIdOf(raw) ?? []);
      running.handoff = new TelegramHandoffGate(heldIds, HANDOFF_POLL_PAUSE_MS);
    }
    this.#running = running;
    try {
      if (this.#config.webhook) await this.#startWebhook(running);
      else await this.#startPolling(running);
    } catch (error) {
      await this.#teardown(running);
      throw toAdapterError(error, TELEGRAM_PLATFORM);
    }
    void this.#registerCommands(running);
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    await this.#teardown(running);
  }

  send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) return Promise.resolve(notConnectedResult(TELEGRAM_PLATFORM, 'TelegramAdapter', 'send'));
    return running.sender.send(chat, msg).then((r) => this.#noteSent(r));
  }

  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(TELEGRAM_PLATFORM, 'TelegramAdapter', 'edit');
    return this.#noteSent(await running.sender.edit(chat, messageId, text));
  }

  /** Removes the buttons of a message and shows the outcome under its text (or as a reply). */
  async settleActions(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(TELEGRAM_PLATFORM, 'TelegramAdapter', 'settleActions');
    return this.#noteSent(await running.sender.settleActions(chat, messageId, outcome));
  }

  /**
   * A reply streamed as a Telegram message draft (sendMessageDraft), private chats only: anywhere else
   * the answer is `unsupported` and the host streams with edits.
   */
  async startStream(
    chat: ChatRef,
    options: { replyTo?: string; threadId?: string },
  ): Promise<StartStreamResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(TELEGRAM_PLATFORM, 'TelegramAdapter', 'startStream');
    if (!draftsAllowedIn(chat)) {
      return {
        ok: false,
        error: new AdapterError(
          'unsupported',
          `Telegram message drafts exist only in private chats, not in a ${chat.chatType}`,
          { platform: TELEGRAM_PLATFORM, retryable: false, fix: 'stream this reply with edit()' },
        ),
      };
    }
    const stream = new TelegramDraftStream({
      deps: running.sender.deps,
      chat,
      replyTo: options.replyTo,
      threadId: options.threadId,
      send: (c, msg) => this.send(c, msg),
      onDraft: () => this.#liveness.sent(),
    });
    return { ok: true, stream };
  }

  #noteSent(result: SendResult): SendResult {
    if (result.ok) this.#liveness.sent();
    return result;
  }

  async delete(chat: ChatRef, messageId: string): Promise<boolean> {
    const running = this.#running;
    return running ? running.sender.delete(chat, messageId) : false;
  }

  async typing(chat: ChatRef): Promise<void> {
    await this.#need('typing').sender.typing(chat);
  }

  /** Checks the token with getMe, without starting. */
  async probe(): Promise<ProbeResult> {
    const api = new TelegramBotApi({
      token: this.#config.token,
      apiRoot: this.#config.apiRoot,
      requestTimeoutMs: this.#config.requestTimeoutMs,
    });
    try {
      const me = identityOf(await api.call('getMe', {}));
      if (!me)
        return {
          ok: false,
          error: new AdapterError('protocol', 'getMe did not describe a bot', {
            platform: TELEGRAM_PLATFORM,
          }),
        };
      return { ok: true, identity: `@${me.username}`, detail: `bot id ${me.id}` };
    } catch (error) {
      const e = toAdapterError(error, TELEGRAM_PLATFORM);
      return e.fix ? { ok: false, error: e, fix: e.fix } : { ok: false, error: e };
    } finally {
      api.close();
    }
  }

  /**
   * Replaces the command menu (setMyCommands). Entries are checked against Telegram's rules first; the
   * list is kept and registered again on every start.
   */
  async setCommands(list: ReadonlyArray<{ command: string; description: string }>): Promise<void> {
    const parsed = telegramCommandSchema.array().max(100).safeParse(list);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new AdapterError('config_invalid', `Invalid Telegram command list: ${problems}`, {
        platform: TELEGRAM_PLATFORM,
      });
    }
    this.#commands = parsed.data;
    const running = this.#running;
    if (running) await this.#pushCommands(running, true);
  }

  #createPacer(ctx: AdapterContext, logger: Logger): SendPacer {
    const p = this.#config.pacing;
    return createSendPacer({
      perChat: p.perChat,
      global: p.global,
      logger,
      retry: {
        maxAttempts: p.maxRateLimitedAttempts,
        maxRetryAfterMs: p.maxRetryAfterMs,
        // Flood waits are waited out as often as Telegram asks; other transient failures a few times.
        shouldRetry: (error, attempt) => error.code === 'rate_limited' || (error.retryable && attempt < 4),
        signal: ctx.signal,
        logger,
        label: 'telegram send',
      },
    });
  }

  /** getMe (identity for mentions), webhook removal for polling, then the replay of held updates. */
  async #prepare(running: Running, signal?: AbortSignal): Promise<void> {
    const { api, logger } = running;
    if (!this.#identity) {
      const me = identityOf(await api.call('getMe', {}, signal ? { signal } : {}));
      if (!me)
        throw new AdapterError('protocol', 'Telegram getMe did not describe a bot', {
          platform: TELEGRAM_PLATFORM,
        });
      this.#identity = me;
      logger.info(`Telegram bot @${me.username} (${me.id})`, { botId: me.id, username: me.username });
    }
    if (!running.intake) running.intake = this.#createIntake(running, this.#identity);
    if (!this.#config.webhook && !running.webhookDeleted) {
      // getUpdates is refused while a webhook is set; pending updates are kept.
      await api.call('deleteWebhook', { drop_pending_updates: false }, signal ? { signal } : {});
      running.webhookDeleted = true;
    }
    if (running.replay.length > 0) {
      const held = running.replay.splice(0);
      logger.info(`offering ${held.length} held Telegram update(s) from the previous run again`, {
        count: held.length,
      });
      for (const raw of held) running.intake.handle(raw, { replay: true });
      await this.#persistEither(running);
    }
  }

  #createIntake(running: Running, bot: TelegramBotIdentity): TelegramIntake {
    const { ctx, logger, api } = running;
    return new TelegramIntake({
      config: this.#config,
      bot,
      logger,
      dedupe: running.dedupe,
      receive: (msg) => ctx.receive(msg),
      inOrder: ctx.connectionHandoff === true,
      press: (action) => running.presses.handle(action),
      dismissPress: (id) => running.presses.dismiss(id),
      attachment: (file) =>
        telegramAttachment(file, {
          api,
          cache: ctx.mediaCache,
          maxBytes: this.#config.maxMediaBytes,
          allowPrivate: this.#config.mediaAllowPrivate,
          signal: ctx.signal,
        }),
      onHeldChanged: () => {
        running.handoff?.changed();
        this.#persistEither(running).catch((error: unknown) => {
          logger.error('Telegram update state not saved after a batch was handed over', {
            error: (error as Error).message,
          });
        });
      },
    });
  }

  /** The offset reached so far with what is still held. */
  #stateOf(running: Running): TelegramUpdateState {
    return {
      offset: this.#handledTo,
      held: running.intake?.held() ?? [],
      // Polling needs no id list: the offset already says which updates were seen.
      seen: this.#config.webhook ? running.dedupe.export() : [],
    };
  }

  /** Webhook mode: written before Telegram gets its answer; the in-memory offset moves once it is on disk. */
  #persist(running: Running): void {
    const state = this.#stateOf(running);
    running.stateFile.save(state);
    this.#offset = state.offset;
  }

  /** Polling: written off the event loop; the next getUpdates (which confirms the offset) waits for it. */
  async #persistSoon(running: Running): Promise<void> {
    const state = await running.stateFile.saveSoon(() => this.#stateOf(running));
    if (state.offset > this.#offset) this.#offset = state.offset;
  }

  /** Each mode keeps to its own way of writing, so two writes never share the temp file. */
  async #persistEither(running: Running): Promise<void> {
    if (this.#config.webhook) this.#persist(running);
    else await this.#persistSoon(running);
  }

  /**
   * One getUpdates batch: handed over in order (synchronously, so replies can start), then, once the host has
   * journaled them, the new offset is saved; the returned promise settles once it is on disk, and only then
   * does the next poll confirm it.
   */
  #onBatch(running: Running, batch: unknown[]): Promise<void> | undefined {
    const intake = running.intake;
    if (!intake || batch.length === 0) return undefined;
    let next = this.#handledTo;
    let withId = 0;
    for (const raw of batch) {
      const id = updateIdOf(raw);
      if (id !== undefined) withId += 1;
      if (id !== undefined && id < this.#handledTo) {
        running.logger.debug('Telegram update below the committed offset dropped (already handled)', {
          updateId: id,
        });
        continue;
      }
      this.#liveness.inbound();
      intake.handle(raw);
      if (id !== undefined) next = Math.max(next, id + 1);
    }
    if (withId === 0) {
      throw new AdapterError(
        'protocol',
        `Telegram returned ${batch.length} update(s) without an update_id; cannot move the offset`,
        {
          platform: TELEGRAM_PLATFORM,
        },
      );
    }
    this.#handledTo = next;
    // The next getUpdates confirms this batch to Telegram: it waits until the host journaled every message.
    // A host whose receive() returns nothing has nothing to wait for: the save is queued straight away
    // (it still runs on a later turn, see saveSoon), without a round of promises per batch.
    const saved = intake.journaling
      ? intake.settled().then(() => this.#persistSoon(running))
      : this.#persistSoon(running);
    const handoff = running.handoff;
    return handoff ? saved.then(() => handoff.drained()) : saved;
  }

  async #startPolling(running: Running): Promise<void> {
    const poller = createTelegramLongPoll({
      api: running.api,
      logger: running.logger,
      pollTimeoutSeconds: this.#config.pollTimeoutSeconds,
      pollLimit: this.#config.pollLimit,
      reconnect: this.#config.reconnect,
      offset: () => running.handoff?.confirmable(this.#offset) ?? this.#offset,
      prepare: (signal) => this.#prepare(running, signal),
      onUpdates: (batch) => this.#onBatch(running, batch),
      onStatus: (status, detail) => running.ctx.status(status, detail),
      onHeartbeat: () => this.#liveness.heartbeat(),
      signal: running.ctx.signal,
    });
    running.poller = poller;
    await poller.start();
  }

  async #startWebhook(running: Running): Promise<void> {
    const w = this.#config.webhook!;
    running.ctx.status('connecting', 'webhook');
    await this.#prepare(running);
    const server = new TelegramWebhookServer({
      host: w.host,
      port: w.port,
      path: w.path ?? (new URL(w.url).pathname || '/'),
      secret: w.secret,
      logger: running.logger,
      onUpdate: async (raw) => {
        this.#liveness.inbound();
        running.intake?.handle(raw);
        this.#persist(running);
        // Telegram's 200 waits for the host's journal: held() kept the update on disk until then.
        await running.intake?.settled();
      },
    });
    running.webhook = server;
    await server.start();
    await running.api.call('setWebhook', {
      url: w.url,
      secret_token: w.secret,
      allowed_updates: TELEGRAM_ALLOWED_UPDATES,
    });
    running.logger.info('Telegram webhook set', { listen: `${w.host}:${server.port}` });
    running.ctx.status('online', 'webhook');
  }

  async #registerCommands(running: Running): Promise<void> {
    if (this.#commands.length === 0) return;
    try {
      await this.#pushCommands(running, false);
    } catch (error) {
      running.logger.warn('Telegram command menu not registered', { error: toAdapterError(error).message });
    }
  }

  async #pushCommands(running: Running, allowEmpty: boolean): Promise<void> {
    if (this.#commands.length === 0 && !allowEmpty) return;
    await running.api.call('setMyCommands', { commands: this.#commands });
    running.logger.info(`Telegram command menu registered (${this.#commands.length} commands)`);
  }

  async #teardown(running: Running): Promise<void> {
    if (this.#running === running) this.#running = undefined;
    await running.poller?.stop();
    await running.webhook?.stop();
    await running.presses.settle();
    // Batches still waiting stay in the state file and are offered again on the next start.
    if (running.intake) {
      try {
        await running.intake.settled();
        await this.#persistEither(running);
      } catch (error) {
        running.logger.error('Telegram update state not saved on stop', { error: (error as Error).message });
      }
      await running.stateFile.close();
      running.intake.close();
    }
    running.pacer.close();
    running.api.close();
    if (running.webhook) running.ctx.status('offline', 'stopped');
  }

  #need(what: string): Running {
    const running = this.#running;
    if (!running) throw notConnectedError(TELEGRAM_PLATFORM, 'TelegramAdapter', what);
    return running;
  }
}

/** Builds an adapter from a config object (only `token` is required). */
export function createTelegramAdapter(config: TelegramConfigInput | TelegramConfig): TelegramAdapter {
  return new TelegramAdapter(config);
}
