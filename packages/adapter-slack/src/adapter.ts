import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createRedactingLogger,
  createSendPacer,
  DedupeCache,
  LivenessTracker,
  type Logger,
  type MessageAction,
  notConnectedError,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  prepareOutboundText,
  RecentMap,
  type SendPacer,
  type SendResult,
  type StartStreamResult,
  type SupervisedConnection,
  silentLogger,
  toAdapterError,
  withRetry,
} from '@hermes/adapter-core';
import type { WebClient } from '@slack/web-api';
import {
  checkSlackActions,
  SLACK_SECTION_TEXT_LIMIT,
  slackActionBlocks,
  slackSettledBlocks,
} from './actions.js';
import { parseSlackConfig, type SlackConfig, type SlackConfigInput } from './config.js';
import { SLACK_CLIENT_PING_INTERVAL_MS, SLACK_PLATFORM } from './constants.js';
import { slackEmojiName } from './emoji.js';
import { SLACK_MAX_UPLOAD_BYTES, uploadSlackFile } from './file-upload.js';
import type { SlackIdentity } from './inbound.js';
import { createSlackIntake, type SlackIntakeStats } from './intake.js';
import { fetchSlackFile } from './media-in.js';
import { startSlackStream } from './native-stream.js';
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
    buttons: true,
    nativeStreaming: true,
    // Slack keeps `/` for its own slash commands and will not send `/help` typed in a thread: `!help` there.
    threadCommandPrefix: '!',
    // chat.postMessage allows about one message per second per channel and chat.update is Tier 3 (about
    // 50 a minute): 50 a minute keeps one chat's stream edits, progress lines and replies under both.
    chatRateLimit: { messages: 50, perMs: 60_000 },
  };
}

/** Messages remembered for settleActions (their text) and for streams (who asked). */
const RECENT_MESSAGES = 1_000;

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
  readonly #config: SlackConfig;
  /** Threads the bot takes part in; export()/import() it to keep follow-ups working across restarts. */
  readonly threads: SlackThreadParticipation;
  /** Survives restarts of the same instance, so a redelivery after stop()/start() is still caught. */
  readonly #dedupe: DedupeCache;
  /** Socket Mode connections not yet closed, so stop() can wait for them. */
  readonly #sockets = new Set<SupervisedConnection>();
  #running: Running | undefined;
  /**
   * Survives restarts like the dedupe. The SDK pings Slack every 5 s and Slack answers each ping; any frame
   * or server ping counts too, so three intervals without one mean the socket is dead.
   */
  readonly #liveness = new LivenessTracker(SLACK_CLIENT_PING_INTERVAL_MS);
  /** `channel:ts` → text of a message with buttons, so settling keeps the text and drops the buttons. */
  /** Messages whose buttons are still live: their text and buttons, so an edit or a settle keeps the other. */
  readonly #actionMessages = new RecentMap<{ text: string; actions: readonly MessageAction[] }>(
    RECENT_MESSAGES,
  );
  /** `channel:ts` → user of an inbound message: Slack wants the recipient of a stream outside DMs. */
  readonly #senders = new RecentMap<string>(RECENT_MESSAGES);

  constructor(config: SlackConfigInput | SlackConfig) {
    this.#config = parseSlackConfig(config);
    this.capabilities = slackCapabilities(this.#config);
    this.threads = new SlackThreadParticipation(this.#config.participationLimit);
    this.#dedupe = new DedupeCache(this.#config.dedupe);
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) throw alreadyStartedError(SLACK_PLATFORM, 'SlackAdapter');
    const config = this.#config;
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
      ...(ctx.receiveAction ? { receiveAction: (action) => ctx.receiveAction?.(action) } : {}),
      onAccepted: (message) => {
        this.#liveness.inbound();
        if (message) this.#senders.set(`${message.chat.chatId}:${message.id}`, message.sender.id);
      },
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
              onSignOfLife: () => this.#liveness.heartbeat(),
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
    this.#liveness.resetHeartbeat();
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
    if (!running) return notConnectedResult(SLACK_PLATFORM, 'SlackAdapter', 'send');
    const threadTs = this.#threadFor(chat, msg);
    const deps = this.#outboundDeps(running);
    const actions = msg.actions?.length ? msg.actions : undefined;
    const invalid = actions ? checkSlackActions(actions) : undefined;
    if (invalid) return failed(invalid);
    try {
      const ids: string[] = [];
      const text = msg.text?.trim() ? msg.text : undefined;
      if (text !== undefined) {
        const format = msg.format ?? 'markdown';
        // The text of the last chunk goes into a section block too, which holds at most 3,000 characters.
        const capabilities = actions
          ? {
              ...this.capabilities,
              maxMessageLength: Math.min(this.capabilities.maxMessageLength, SLACK_SECTION_TEXT_LIMIT),
            }
          : this.capabilities;
        const chunks = prepareOutboundText(text, capabilities, format);
        let lastRendered = '';
        const posted = await postSlackChunks(
          deps,
          {
            channel: chat.chatId,
            ...(threadTs ? { threadTs } : {}),
            format,
            onPosted: () => this.#liveness.sent(),
            ...(actions
              ? {
                  lastBlocks: (rendered: string) => {
                    lastRendered = rendered;
                    return slackActionBlocks(rendered, format, actions);
                  },
                }
              : {}),
          },
          chunks,
        );
        const lastId = posted.at(-1);
        if (actions && lastId)
          this.#actionMessages.set(`${chat.chatId}:${lastId}`, { text: lastRendered, actions });
        ids.push(...posted);
      }
      for (const media of msg.media ?? []) {
        const target = threadTs ? { channel: chat.chatId, threadTs } : { channel: chat.chatId };
        ids.push(await uploadSlackFile(deps, target, media, this.#config.requestTimeoutMs));
        this.#liveness.sent();
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
    if (!running) return notConnectedResult(SLACK_PLATFORM, 'SlackAdapter', 'edit');
    const [first, ...rest] = prepareOutboundText(text, this.capabilities);
    if (!first)
      return failed(new AdapterError('bad_request', 'edit needs some text', { platform: SLACK_PLATFORM }));
    const deps = this.#outboundDeps(running);
    // Without `blocks`, Slack keeps a message's old blocks and the new text would only be the fallback: a
    // message whose buttons are live is rewritten with the new text and the same buttons.
    const key = `${chat.chatId}:${messageId}`;
    const live = this.#actionMessages.get(key);
    try {
      await running.pacer.run(chat.chatId, () =>
        running.call('chat.update', {
          channel: chat.chatId,
          ts: messageId,
          text: first.rendered,
          ...(live ? { blocks: slackActionBlocks(first.rendered, 'markdown', live.actions) } : {}),
        }),
      );
      if (live) this.#actionMessages.set(key, { text: first.rendered, actions: live.actions });
      this.#liveness.sent();
      const ids = [messageId];
      if (rest.length > 0) {
        const threadTs = chat.threadId;
        ids.push(
          ...(await postSlackChunks(
            deps,
            {
              channel: chat.chatId,
              ...(threadTs ? { threadTs } : {}),
              format: 'markdown',
              onPosted: () => this.#liveness.sent(),
            },
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
    if (!running) throw notConnectedError(SLACK_PLATFORM, 'SlackAdapter', 'react');
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

  /**
   * chat.update of a message sent with buttons: the same text, the actions block replaced by a context line
   * with the outcome, so nobody presses twice. The text comes from memory (the last 1,000 such messages);
   * an older one keeps only the outcome.
   */
  async settleActions(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(SLACK_PLATFORM, 'SlackAdapter', 'settleActions');
    const key = `${chat.chatId}:${messageId}`;
    const text = this.#actionMessages.get(key)?.text;
    const fallback = text ? `${text}\n${outcome}` : outcome;
    try {
      await running.pacer.run(chat.chatId, () =>
        running.call('chat.update', {
          channel: chat.chatId,
          ts: messageId,
          text: fallback,
          blocks: slackSettledBlocks(text, outcome),
        }),
      );
      this.#liveness.sent();
      this.#actionMessages.delete(key);
      return { ok: true, messageIds: [messageId] };
    } catch (error) {
      return failed(error);
    }
  }

  /**
   * A reply streamed with chat.startStream into the thread of `threadId`, the chat's thread or `replyTo`
   * (Slack streams only as thread replies). Outside DMs Slack wants the recipient, the author of the message
   * being answered. `unsupported` when Slack refuses (an app without the AI features, no thread): the host
   * then streams by editing.
   */
  async startStream(
    chat: ChatRef,
    options: { replyTo?: string; threadId?: string },
  ): Promise<StartStreamResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(SLACK_PLATFORM, 'SlackAdapter', 'startStream');
    const threadTs = options.threadId ?? chat.threadId ?? options.replyTo;
    if (threadTs === undefined)
      return { ok: false, error: this.#cannotStream('there is no thread or message to reply to') };
    const recipient =
      (options.replyTo && this.#senders.get(`${chat.chatId}:${options.replyTo}`)) ||
      this.#senders.get(`${chat.chatId}:${threadTs}`);
    if (chat.chatType !== 'dm' && !recipient)
      return {
        ok: false,
        error: this.#cannotStream('Slack needs the recipient outside DMs and the asker is unknown'),
      };
    const result = await startSlackStream(
      {
        call: running.call,
        pacer: running.pacer,
        logger: running.logger,
        edit: (ts, text) => this.edit({ ...chat, threadId: threadTs }, ts, text),
        onSent: () => this.#liveness.sent(),
      },
      {
        channel: chat.chatId,
        threadTs,
        ...(recipient ? { recipientUserId: recipient } : {}),
        ...(recipient && running.identity.teamId ? { recipientTeamId: running.identity.teamId } : {}),
      },
    );
    if (result.ok) this.threads.mark(chat.chatId, threadTs);
    else running.logger.info(`slack: no native stream (${result.error.message})`);
    return result;
  }

  /** Last event, last confirmed send and last sign of life of the Socket Mode connection. */
  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  /** auth.test with the bot token, then apps.connections.open with the app token (no socket is opened). */
  async probe(): Promise<ProbeResult> {
    const logger =
      this.#running?.logger ??
      createRedactingLogger(silentLogger, [this.#config.botToken, this.#config.appToken]);
    return probeSlack(this.#config, logger);
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
    // The watchdog measures from the new connection, not from the silence that ended the old one.
    this.#liveness.resetHeartbeat();
    this.#sockets.add(connection);
    void connection.closed.then(() => this.#sockets.delete(connection));
    return connection;
  }

  #webClient(logger: Logger): WebClient {
    return createSlackWebClient({
      token: this.#config.botToken,
      apiUrl: this.#config.apiUrl,
      timeoutMs: this.#config.requestTimeoutMs,
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
    if (chat.chatType !== 'dm' && this.#config.replyInThread && msg.replyTo !== undefined) return msg.replyTo;
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

  #cannotStream(why: string): AdapterError {
    return new AdapterError('unsupported', `Slack cannot stream this reply natively: ${why}`, {
      platform: SLACK_PLATFORM,
      retryable: false,
    });
  }
}

export function createSlackAdapter(config: SlackConfigInput | SlackConfig): SlackAdapter {
  return new SlackAdapter(config);
}
