import {
  type AdapterContext,
  AdapterError,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createRedactingLogger,
  createSendPacer,
  DedupeCache,
  type Logger,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  prepareOutboundText,
  type SendPacer,
  type SendResult,
  type SupervisedConnection,
  silentLogger,
  toAdapterError,
  withRetry,
} from '@hermes/adapter-core';
import type { WebClient } from '@slack/web-api';
import { parseSlackConfig, type SlackConfig, type SlackConfigInput } from './config.js';
import { SLACK_PLATFORM } from './constants.js';
import { slackEmojiName } from './emoji.js';
import { SLACK_MAX_UPLOAD_BYTES, uploadSlackFile } from './file-upload.js';
import type { SlackIdentity } from './inbound.js';
import { createSlackIntake, type SlackIntakeStats } from './intake.js';
import { fetchSlackFile } from './media-in.js';
import { postSlackChunks, type SlackOutboundDeps } from './outbound-text.js';
import { SlackThreadParticipation } from './participation.js';
import { probeSlack } from './probe.js';
import { openSlackSocket } from './socket-connection.js';
import { createSlackWebClient, resultString, type SlackCall, slackCaller } from './web-api.js';

/** What the adapter can do, with the configured chunk length. Typing is false: Socket Mode bots have none. */
export function slackCapabilities(config: Pick<SlackConfig, 'maxMessageLength'>): Capabilities {
  return {
    maxMessageLength: config.maxMessageLength,
    // Slack counts characters; UTF-16 units are never fewer than code points, so this errs on the safe side.
    lengthUnit: 'utf16',
    markdown: 'slack-mrkdwn',
    edit: true,
    delete: true,
    typing: false,
    reactions: true,
    threads: true,
    media: {
      send: ['image', 'audio', 'voice', 'video', 'file'],
      receive: ['image', 'audio', 'voice', 'video', 'file'],
      maxUploadBytes: SLACK_MAX_UPLOAD_BYTES,
    },
  };
}

/** Everything that lives from start() to stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  call: SlackCall;
  pacer: SendPacer;
  supervisor: ConnectionSupervisor;
  identity: SlackIdentity;
  stats: SlackIntakeStats;
}

export interface SlackAdapterStats {
  identity?: SlackIdentity;
  intake?: SlackIntakeStats;
  connectionAttempt: number;
  participatingThreads: number;
}

function failed(error: unknown): SendResult {
  return { ok: false, error: toAdapterError(error, SLACK_PLATFORM) };
}

/**
 * Slack over Socket Mode (app token) for events and the Web API (bot token) for everything it says. Every
 * envelope is acknowledged; redelivered events and the message + app_mention pair are deduplicated on
 * Slack's event id and on channel + ts; replies are rendered to mrkdwn, split, paced per channel and never
 * resent after an ambiguous failure.
 */
export class SlackAdapter implements PlatformAdapter {
  readonly platform = SLACK_PLATFORM;
  readonly capabilities: Capabilities;
  readonly config: SlackConfig;
  /** Threads the bot takes part in; export()/import() it to keep follow-ups working across restarts. */
  readonly threads: SlackThreadParticipation;
  /** Survives restarts of the same instance, so a redelivery after stop()/start() is still caught. */
  readonly #dedupe: DedupeCache;
  /** Socket Mode connections not yet closed, so stop() can wait for them. */
  readonly #sockets = new Set<SupervisedConnection>();
  #running: Running | undefined;

  constructor(config: SlackConfigInput | SlackConfig) {
    this.config = parseSlackConfig(config);
    this.capabilities = slackCapabilities(this.config);
    this.threads = new SlackThreadParticipation(this.config.participationLimit);
    this.#dedupe = new DedupeCache(this.config.dedupe);
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running)
      throw new AdapterError('bad_request', 'Slack adapter already started', { platform: SLACK_PLATFORM });
    const { config } = this;
    const logger = createRedactingLogger(ctx.logger.child({ platform: SLACK_PLATFORM }), [
      config.botToken,
      config.appToken,
    ]);
    const client = this.#webClient(logger);
    const call = slackCaller(client);
    const identity = await this.#authenticate(call, logger, ctx.signal);
    logger.info(`slack: signed in as ${identity.userId}${identity.teamId ? ` in ${identity.teamId}` : ''}`);

    const intake = createSlackIntake({
      identity,
      rules: {
        requireMention: config.requireMention,
        freeResponseChannels: new Set(config.freeResponseChannels),
        replyInThread: config.replyInThread,
        slashCommand: config.slashCommand,
      },
      participation: this.threads,
      dedupe: this.#dedupe,
      logger,
      receive: (message) => ctx.receive(message),
      fetchFile: (file) =>
        fetchSlackFile(file, {
          cache: ctx.mediaCache,
          botToken: config.botToken,
          maxBytes: config.maxMediaBytes,
          allowPrivate: config.mediaAllowPrivate,
          signal: ctx.signal,
        }),
    });
    const supervisor: ConnectionSupervisor = new ConnectionSupervisor({
      name: 'slack socket mode',
      logger,
      backoff: {
        kind: 'exponential',
        initialMs: config.reconnect.initialMs,
        maxMs: config.reconnect.maxMs,
        factor: 2,
        jitter: 0.2,
      },
      connectTimeoutMs: config.connectTimeoutMs,
      signal: ctx.signal,
      onStatus: (status, detail) => ctx.status(status, detail),
      connect: (signal) =>
        this.#track(
          openSlackSocket(
            {
              config,
              logger,
              onEvent: (evt) => void intake.handle(evt),
              onDisconnectRequested: (reason) => supervisor.reconnectNow(`Slack sent disconnect (${reason})`),
            },
            signal,
          ),
        ),
    });
    const pacer = createSendPacer({
      perChat: config.sendRate.perChannel,
      global: config.sendRate.global,
      retry: {
        maxAttempts: config.maxSendAttempts,
        // A 429 is waited out as long as the attempts last; anything else retryable gets four tries.
        shouldRetry: (error, attempt) => error.code === 'rate_limited' || (error.retryable && attempt < 4),
        logger,
      },
      logger,
    });
    this.#running = { ctx, logger, call, pacer, supervisor, identity, stats: intake.stats };
    try {
      await supervisor.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, SLACK_PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.supervisor.stop();
    running.pacer.close();
    // The supervisor asked the sockets to close; wait until they are gone (a stalled peer is cut after 1 s).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.#sockets].map((s) => s.closed)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 3_000);
      }),
    ]);
    clearTimeout(timer);
  }

  async send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) return failed(this.#notStarted());
    const threadTs = this.#threadFor(chat, msg);
    const deps = this.#outboundDeps(running);
    try {
      const ids: string[] = [];
      const text = msg.text?.trim() ? msg.text : undefined;
      if (text !== undefined) {
        const format = msg.format ?? 'markdown';
        const chunks = prepareOutboundText(text, this.capabilities, format);
        ids.push(
          ...(await postSlackChunks(
            deps,
            { channel: chat.chatId, ...(threadTs ? { threadTs } : {}), format },
            chunks,
          )),
        );
      }
      for (const media of msg.media ?? []) {
        const target = threadTs ? { channel: chat.chatId, threadTs } : { channel: chat.chatId };
        ids.push(await uploadSlackFile(deps, target, media, this.config.requestTimeoutMs));
      }
      if (ids.length === 0 && text === undefined && !msg.media?.length) {
        return failed(
          new AdapterError('bad_request', 'nothing to send: no text and no media', {
            platform: SLACK_PLATFORM,
          }),
        );
      }
      return { ok: true, messageIds: ids };
    } catch (error) {
      running.logger.warn('slack: send failed', {
        channel: chat.chatId,
        error: toAdapterError(error).message,
      });
      return failed(error);
    }
  }

  /**
   * chat.update with the first chunk; text that no longer fits one message continues in new messages in
   * the same thread, so nothing is cut off. The ids returned are the edited one, then the new ones.
   */
  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return failed(this.#notStarted());
    const [first, ...rest] = prepareOutboundText(text, this.capabilities);
    if (!first)
      return failed(new AdapterError('bad_request', 'edit needs some text', { platform: SLACK_PLATFORM }));
    const deps = this.#outboundDeps(running);
    try {
      await running.pacer.run(chat.chatId, () =>
        running.call('chat.update', { channel: chat.chatId, ts: messageId, text: first.rendered }),
      );
      const ids = [messageId];
      if (rest.length > 0) {
        const threadTs = chat.threadId;
        ids.push(
          ...(await postSlackChunks(
            deps,
            { channel: chat.chatId, ...(threadTs ? { threadTs } : {}), format: 'markdown' },
            rest,
          )),
        );
      }
      return { ok: true, messageIds: ids };
    } catch (error) {
      return failed(error);
    }
  }

  async delete(chat: ChatRef, messageId: string): Promise<boolean> {
    const running = this.#running;
    if (!running) return false;
    try {
      await withRetry(() => running.call('chat.delete', { channel: chat.chatId, ts: messageId }), {
        logger: running.logger,
        label: 'slack chat.delete',
        signal: running.ctx.signal,
      });
      return true;
    } catch (error) {
      running.logger.warn('slack: delete failed', {
        channel: chat.chatId,
        error: toAdapterError(error).message,
      });
      return false;
    }
  }

  async react(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const running = this.#running;
    if (!running) throw this.#notStarted();
    const name = slackEmojiName(emoji);
    try {
      await withRetry(
        () => running.call('reactions.add', { channel: chat.chatId, timestamp: messageId, name }),
        {
          logger: running.logger,
          label: 'slack reactions.add',
          signal: running.ctx.signal,
        },
      );
    } catch (error) {
      // The reaction is there, which is what the caller wanted.
      if (error instanceof AdapterError && error.code === 'already_reacted') return;
      throw error;
    }
  }

  /** auth.test with the bot token, then apps.connections.open with the app token (no socket is opened). */
  async probe(): Promise<ProbeResult> {
    const logger =
      this.#running?.logger ??
      createRedactingLogger(silentLogger, [this.config.botToken, this.config.appToken]);
    return probeSlack(this.config, logger);
  }

  stats(): SlackAdapterStats {
    const running = this.#running;
    const out: SlackAdapterStats = {
      connectionAttempt: running?.supervisor.attempt ?? 0,
      participatingThreads: this.threads.size,
    };
    if (running) {
      out.identity = running.identity;
      out.intake = { ...running.stats };
    }
    return out;
  }

  async #track(opening: Promise<SupervisedConnection>): Promise<SupervisedConnection> {
    const connection = await opening;
    this.#sockets.add(connection);
    void connection.closed.then(() => this.#sockets.delete(connection));
    return connection;
  }

  #webClient(logger: Logger): WebClient {
    return createSlackWebClient({
      token: this.config.botToken,
      apiUrl: this.config.apiUrl,
      timeoutMs: this.config.requestTimeoutMs,
      logger,
    });
  }

  async #authenticate(call: SlackCall, logger: Logger, signal: AbortSignal): Promise<SlackIdentity> {
    const result = await withRetry(() => call('auth.test'), {
      maxAttempts: 3,
      logger,
      label: 'slack auth.test',
      signal,
    });
    const userId = resultString(result, 'user_id');
    if (!userId) {
      throw new AdapterError('protocol', 'auth.test did not say which user the bot is', {
        platform: SLACK_PLATFORM,
        fix: 'SLACK_BOT_TOKEN must be a bot token (xoxb-) of an installed app',
      });
    }
    const identity: SlackIdentity = { userId };
    const botId = resultString(result, 'bot_id');
    const teamId = resultString(result, 'team_id');
    if (botId) identity.botId = botId;
    if (teamId) identity.teamId = teamId;
    return identity;
  }

  #threadFor(chat: ChatRef, msg: OutboundMessage): string | undefined {
    const explicit = msg.threadId ?? chat.threadId;
    if (explicit !== undefined) return explicit;
    if (chat.chatType !== 'dm' && this.config.replyInThread && msg.replyTo !== undefined) return msg.replyTo;
    return undefined;
  }

  #outboundDeps(running: Running): SlackOutboundDeps {
    return {
      call: running.call,
      pacer: running.pacer,
      participation: this.threads,
      capabilities: this.capabilities,
      logger: running.logger,
    };
  }

  #notStarted(): AdapterError {
    return new AdapterError('not_connected', 'Slack adapter is not started', {
      platform: SLACK_PLATFORM,
      fix: 'call start(ctx) before sending',
    });
  }
}

export function createSlackAdapter(config: SlackConfigInput | SlackConfig): SlackAdapter {
  return new SlackAdapter(config);
}
