import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  type ChatRef,
  type InboundMessage,
  type Logger,
  MediaCache,
  mediaAllowPrivateFromEnv,
  type OutboundMessage,
  type PlatformAdapter,
  toAdapterError,
} from '@hermes/adapter-core';
import { type ApprovalGate, createApprovalGate, type InMemoryApprovalGate } from '@hermes/agent';
import { createCommandRegistry } from '../commands/handlers.js';
import type { LoadedConfig } from '../config/load.js';
import { startCronTicker } from '../cron/cron-runner.js';
import { CronJobsStore } from '../cron/jobs-store.js';
import { handleAction } from '../inbound/approval-actions.js';
import { nothingAllowed } from '../inbound/authorize.js';
import { decodeInbound, type ReplayedInbound } from '../inbound/inbound-codec.js';
import { handleInbound, processInbound } from '../inbound/intake.js';
import { PairingStore } from '../inbound/pairing-store.js';
import { gatewayAttachPolicy } from '../outbound/attachable-path.js';
import { Deliverer } from '../outbound/deliverer.js';
import { AdapterSupervisor } from '../platforms/adapter-supervisor.js';
import { startLivenessWatchdog } from '../platforms/liveness-watchdog.js';
import { conventionalProfile, type PlatformProfile } from '../platforms/platform-profile.js';
import { type GatewayStatusFile, removeFile, writeStatusFile } from '../platforms/status-file.js';
import { sessionKeyFor } from '../sessions/session-key.js';
import { openStateDb } from '../state/db.js';
import { InboundJournal, type JournalEntry } from '../state/inbound-journal.js';
import { KvStore } from '../state/kv-store.js';
import { Outbox } from '../state/outbox.js';
import { SessionStore } from '../state/session-store.js';
import { TurnLog } from '../state/turn-log.js';
import type { PendingInput } from '../turn/compose-turn.js';
import { LaneScheduler } from '../turn/lane-scheduler.js';
import { ChatBudgets } from '../turn/streaming/chat-budget.js';
import {
  type OpenStream,
  openStreamKey,
  RESTART_MARK,
  streamedReplyKey,
} from '../turn/streaming/stream-finish.js';
import { runAgentTurn } from '../turn/turn-runner.js';
import type { HostRuntime, TurnAgent } from './runtime.js';

/** Turns started for one message before it counts as poison and is given up. */
const MAX_TURN_ATTEMPTS = 3;

export interface GatewayHostOptions {
  config: LoadedConfig;
  logger: Logger;
  agent: TurnAgent;
  adapters: PlatformAdapter[];
  approvals?: ApprovalGate;
  /** The agent's working directory: replies may attach files under it. Default: the process's. */
  workDir?: string;
  /**
   * What each platform's descriptor says (kind, allowlist and home channel env names, id rule). A
   * platform not listed follows the naming convention as a chat platform (`conventionalProfile`).
   */
  profiles?: Readonly<Record<string, PlatformProfile>>;
  /** Restart delays for failed adapters (tests shorten them). */
  adapterRetry?: { firstMs: number; maxMs: number };
  /** How often the liveness watchdog looks at each platform (default 15 s; tests shorten it). */
  livenessCheckMs?: number;
}

const RESTART_NOTICE_KEY = 'restart:notify';

/** The thin host: adapters in, sessions, access, commands, lanes, the agent, delivery out. */
export class GatewayHost {
  readonly runtime: HostRuntime;
  private readonly supervisor: AdapterSupervisor;
  private readonly background = new Set<Promise<void>>();
  private readonly statusListeners = new Set<() => void>();
  private restartListener: (() => void) | undefined;
  private lastStatusWritten: string | undefined;
  private readonly startedAt = new Date();
  private sweeperStop: (() => void) | undefined;
  private cronStop: (() => void) | undefined;
  private watchdogStop: (() => void) | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  readonly cron: CronJobsStore;

  constructor(private readonly options: GatewayHostOptions) {
    const { config, logger } = options;
    const db = openStateDb(config.paths.stateDb);
    const mediaCache = new MediaCache({ dir: join(config.paths.cacheDir, 'media') });
    const outbox = new Outbox(db);
    this.supervisor = new AdapterSupervisor({
      logger,
      mediaCache,
      onInbound: (platform, msg) => handleInbound(this.runtime, platform, msg),
      onAction: (platform, action) => handleAction(this.runtime, platform, action),
      onStatus: () => {
        this.writeStatus();
        for (const listener of this.statusListeners) listener();
      },
      firstRetryMs: options.adapterRetry?.firstMs ?? 30_000,
      maxRetryMs: options.adapterRetry?.maxMs ?? 300_000,
    });
    for (const adapter of options.adapters) this.supervisor.add(adapter);
    const commands = createCommandRegistry();
    const lanes = new LaneScheduler<PendingInput>((items, ctx) => runAgentTurn(this.runtime, items, ctx), {
      maxConcurrent: config.file.gateway.max_concurrent_runs,
      logger,
    });
    const deliverer = new Deliverer({
      outbox,
      logger,
      mediaCache,
      allowPrivateMedia: mediaAllowPrivateFromEnv(config.env),
      attach: gatewayAttachPolicy({
        home: config.paths.home,
        cacheDir: config.paths.cacheDir,
        workDir: options.workDir ?? process.cwd(),
        extraRoots: config.env.HERMES_MEDIA_ROOTS,
      }),
      adapterFor: (p) => this.supervisor.get(p),
    });
    const kv = new KvStore(db);
    const always = kv.get<string[]>('approvals:always') ?? [];
    const approvals =
      options.approvals ??
      createApprovalGate({
        alwaysAllowed: always,
        // `/approve always` outlives the process: the pattern is kept in state.db.
        onAlwaysAllowed: (pattern) =>
          kv.set('approvals:always', [
            ...new Set([...(kv.get<string[]>('approvals:always') ?? []), pattern]),
          ]),
      });
    const sessionOptions = {
      groupSessionsPerUser: config.file.group_sessions_per_user,
      threadSessionsPerUser: config.file.thread_sessions_per_user,
    };
    const profileOf = (platform: string) => options.profiles?.[platform] ?? conventionalProfile(platform);
    this.runtime = {
      config,
      env: { ...config.env },
      logger,
      db,
      sessions: new SessionStore(db),
      journal: new InboundJournal(db),
      outbox,
      kv,
      turns: new TurnLog(db),
      pairing: new PairingStore(config.paths.pairingDir),
      approvals,
      forgetSessionApprovals: (key) => (approvals as Partial<InMemoryApprovalGate>).forgetSession?.(key),
      agent: options.agent,
      commands,
      lanes,
      deliverer,
      chatBudgets: new ChatBudgets(),
      approvalPrompts: new Map(),
      adapterFor: (p) => this.supervisor.get(p),
      profileOf,
      homeChannelOf: (p) => {
        const name = profileOf(p).homeChannelEnv;
        return name ? this.runtime.env[name] : undefined;
      },
      platformStatuses: () =>
        [...this.supervisor.slots.values()].map((s) => {
          const seen = s.adapter.liveness?.() ?? {};
          return {
            platform: s.platform,
            status: s.status,
            ...(s.detail === undefined ? {} : { detail: s.detail }),
            ...(s.fatal === undefined ? {} : { stoppedForGood: s.fatal }),
            ...(seen.lastInboundAt === undefined ? {} : { lastInboundAt: seen.lastInboundAt }),
            ...(seen.lastSendAt === undefined ? {} : { lastSendAt: seen.lastSendAt }),
          };
        }),
      pausePlatform: (p) => this.supervisor.pause(p),
      resumePlatform: (p) => this.supervisor.resume(p),
      startBackground: (chat, key, prompt) => this.startBackground(chat, key, prompt),
      sessionKeyOf: (msg: InboundMessage) => sessionKeyFor(msg, sessionOptions),
      shuttingDown: false,
      requestRestart: (chat) => {
        const listener = this.restartListener;
        if (!listener) return false;
        this.runtime.kv.set(RESTART_NOTICE_KEY, chat);
        // After the command's reply has gone out.
        setImmediate(listener);
        return true;
      },
    };
    this.sweeperStop = mediaCache.startSweeper(3_600_000);
    this.cron = new CronJobsStore(config.paths.cronDir);
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    const profiles = [...this.supervisor.slots.keys()].map((p) => this.runtime.profileOf(p));
    if (nothingAllowed(this.runtime.env, profiles)) {
      logger.warn(
        'no allowlist is configured: every user will be asked to pair. Set GATEWAY_ALLOWED_USERS or <PLATFORM>_ALLOWED_USERS to allow people directly.',
      );
    }
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), 3_600_000);
    this.pruneTimer.unref();
    const ambiguous = this.runtime.outbox.quarantineInFlight();
    if (ambiguous > 0)
      logger.warn('replies interrupted mid-send by the last stop are not re-sent (they may have arrived)', {
        count: ambiguous,
      });
    this.writeStatus();
    await this.registerCommandMenus();
    await this.supervisor.startAll();
    this.watchdogStop = startLivenessWatchdog({
      platforms: () =>
        [...this.supervisor.slots.values()].map((slot) => ({
          platform: slot.platform,
          adapter: slot.adapter,
          online: slot.status === 'online',
        })),
      reconnect: (platform, reason) => this.supervisor.reconnect(platform, reason),
      onTick: () => this.writeStatus(),
      logger: this.options.logger,
      ...(this.options.livenessCheckMs ? { intervalMs: this.options.livenessCheckMs } : {}),
    });
    await this.recover();
    await this.announceRestart();
    const tickSeconds = Number(this.runtime.env.HERMES_CRON_TICK_SECONDS ?? 60);
    this.cronStop = startCronTicker(
      this.runtime,
      this.cron,
      (Number.isFinite(tickSeconds) && tickSeconds > 0 ? tickSeconds : 60) * 1000,
    );
  }

  /**
   * Platforms with a command menu (Telegram's setMyCommands, …) expose `setCommands`; the host hands them
   * its command list so the menu and the commands that actually work never drift apart.
   */
  private async registerCommandMenus(): Promise<void> {
    const list = this.runtime.commands.specs.map((s) => ({
      command: s.name,
      description: s.summary.slice(0, 256),
    }));
    for (const slot of this.supervisor.slots.values()) {
      if (!slot.adapter.setCommands) continue;
      await slot.adapter.setCommands(list).catch((err: unknown) =>
        this.options.logger.warn('command menu not registered', {
          platform: slot.platform,
          error: (err as Error).message,
        }),
      );
    }
  }

  /** After a crash: deliver recorded-but-unsent replies once, then replay acknowledged-but-unanswered messages. */
  private async recover(): Promise<void> {
    const { logger } = this.options;
    const pending = this.runtime.outbox.pending();
    const byTurn = new Map<string, number[]>();
    for (const e of pending) {
      const k = `${e.turnRef ?? 'none'}:${e.chat.platform}:${e.chat.chatId}`;
      byTurn.set(k, [...(byTurn.get(k) ?? []), e.id]);
    }
    for (const ids of byTurn.values()) await this.recoverReply(ids);
    const open = this.runtime.journal.open();
    if (pending.length || open.length)
      logger.info('recovering after an unclean stop', { replies: pending.length, messages: open.length });
    for (const entry of open) await this.replay(entry);
  }

  /**
   * A reply recorded but not sent before an unclean stop, labelled as recovered. When its turn had been
   * streaming, the streamed message is edited into the reply (so the user does not see it twice) and
   * only a failed edit falls back to a new message.
   */
  private async recoverReply(ids: number[]): Promise<void> {
    const rt = this.runtime;
    const key = ids[0] === undefined ? undefined : streamedReplyKey(ids[0]);
    const streamed = key ? rt.kv.get<{ chat: ChatRef; messageId: string }>(key) : undefined;
    const adapter = streamed ? this.supervisor.get(streamed.chat.platform) : undefined;
    const edit = adapter?.edit?.bind(adapter);
    const reuse =
      streamed && edit
        ? (message: OutboundMessage) => edit(streamed.chat, streamed.messageId, message.text ?? '')
        : undefined;
    await rt.deliverer.sendEntries(
      ids,
      '♻️ Recovered reply (the gateway restarted before sending it):',
      reuse,
    );
    if (key && streamed) rt.kv.delete(key);
  }

  /** A reply that was streaming when the process died stays visible: it is marked, not left dangling. */
  private async markStreamCutByRestart(journalId: number): Promise<void> {
    const rt = this.runtime;
    const key = openStreamKey(journalId);
    const open = rt.kv.get<OpenStream>(key);
    if (!open) return;
    rt.kv.delete(key);
    const adapter = this.supervisor.get(open.chat.platform);
    const result = await adapter
      ?.edit?.(open.chat, open.messageId, `${open.text.trimEnd()}\n\n${RESTART_MARK}`)
      .catch((err: unknown) => ({ ok: false as const, error: toAdapterError(err, open.chat.platform) }));
    if (result && !result.ok)
      this.options.logger.warn('reply cut by the restart not marked', {
        platform: open.chat.platform,
        code: result.error.code,
      });
  }

  /**
   * One journalled message after an unclean stop. Idempotent: what its interrupted turn wrote to the
   * transcript is removed first, so the replay does not store the user message twice. A message whose
   * client was waiting on a request is not replayed (nobody is waiting now), and one that already
   * started MAX_TURN_ATTEMPTS turns is given up as a poison message instead of failing on every start.
   */
  private async replay(entry: JournalEntry): Promise<void> {
    const { logger } = this.options;
    const rt = this.runtime;
    if (entry.turnStart) rt.sessions.truncateFrom(entry.turnStart.sessionId, entry.turnStart.messageId);
    await this.markStreamCutByRestart(entry.id);
    let replayed: ReplayedInbound;
    try {
      replayed = decodeInbound(entry.payload);
    } catch (err) {
      logger.error('journalled message unreadable; dropped', { id: entry.id, error: (err as Error).message });
      rt.journal.finish([entry.id], 'failed');
      return;
    }
    if (replayed.requestReply) {
      logger.info('request from before the restart not replayed: its client is gone', {
        platform: entry.platform,
      });
      rt.journal.finish([entry.id], 'abandoned');
      return;
    }
    if (entry.attempts >= MAX_TURN_ATTEMPTS) {
      logger.error('message given up after repeated failed turns (poison message)', {
        platform: entry.platform,
        attempts: entry.attempts,
      });
      rt.journal.finish([entry.id], 'failed');
      await rt.deliverer
        .deliverText(
          replayed.msg.chat,
          `⚠️ I could not answer this message after ${entry.attempts} attempts and gave up on it. Please send it again or rephrase it.`,
          { replyTo: replayed.msg.id },
        )
        .catch(() => undefined);
      return;
    }
    await processInbound(rt, replayed.msg, [entry.id]).catch((err: unknown) => {
      logger.error('replayed message failed', { id: entry.id, error: (err as Error).message });
    });
  }

  /**
   * Keeps state.db bounded: finished journal rows (the inbound dedupe window) and finished outbox rows older
   * than 7 days are deleted; open ones are never touched.
   */
  private prune(): void {
    const week = 7 * 24 * 3_600_000;
    const journal = this.runtime.journal.prune(week);
    const outbox = this.runtime.outbox.prune(week);
    if (journal || outbox) this.options.logger.info('state.db pruned', { journal, outbox });
  }

  private startBackground(chat: ChatRef, sessionKey: string, prompt: string): string {
    const now = new Date();
    const p = (n: number) => String(n).padStart(2, '0');
    const id = `bg_${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}_${randomBytes(3).toString('hex')}`;
    const controller = new AbortController();
    const task = (async () => {
      let text = '';
      let error = '';
      for await (const ev of this.runtime.agent.runTurn({
        sessionKey: `${sessionKey}:${id}`,
        history: [],
        userText: prompt,
        signal: controller.signal,
        approvals: this.runtime.approvals,
      })) {
        if (ev.type === 'done') text = ev.text;
        if (ev.type === 'error') error = ev.message;
      }
      const body = error
        ? `❌ Background task ${id} failed: ${error}`
        : `✅ Background task complete\nPrompt: "${prompt.slice(0, 60)}"\n\n${text || '(No response generated)'}`;
      await this.runtime.deliverer.deliverText(chat, body);
    })()
      .catch((err: unknown) =>
        this.options.logger.error('background task failed', { id, error: (err as Error).message }),
      )
      .finally(() => this.background.delete(task));
    this.background.add(task);
    return id;
  }

  /** The process can be restarted (it runs under a service manager): `/restart` calls this. */
  onRestartRequest(listener: () => void): void {
    this.restartListener = listener;
  }

  /** Tells the chat that asked for `/restart` that the gateway is back. */
  private async announceRestart(): Promise<void> {
    const chat = this.runtime.kv.get<ChatRef>(RESTART_NOTICE_KEY);
    if (!chat) return;
    this.runtime.kv.delete(RESTART_NOTICE_KEY);
    await this.runtime.deliverer
      .deliverText(chat, '♻️ Back online after the restart.')
      .catch((err: unknown) =>
        this.options.logger.warn('could not announce the restart', { error: (err as Error).message }),
      );
  }

  /** Called whenever a platform's status changes; returns the function that unsubscribes. */
  onStatusChange(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private writeStatus(): void {
    const platforms: GatewayStatusFile['platforms'] = {};
    for (const p of this.runtime.platformStatuses()) {
      const entry: GatewayStatusFile['platforms'][string] = { status: p.status };
      if (p.detail) entry.detail = p.detail;
      if (p.lastInboundAt !== undefined) entry.lastInboundAt = new Date(p.lastInboundAt).toISOString();
      if (p.lastSendAt !== undefined) entry.lastSendAt = new Date(p.lastSendAt).toISOString();
      platforms[p.platform] = entry;
    }
    // The watchdog asks every tick; the file is rewritten only when what it says changed.
    const written = JSON.stringify(platforms);
    if (written === this.lastStatusWritten) return;
    try {
      writeStatusFile(this.runtime.config.paths.statusFile, {
        pid: process.pid,
        startedAt: this.startedAt.toISOString(),
        updatedAt: new Date().toISOString(),
        platforms,
      });
      this.lastStatusWritten = written;
    } catch (err) {
      this.options.logger.warn('status file not written', { error: (err as Error).message });
    }
  }

  /** SIGTERM: stop taking work, let running turns wrap up (bounded), stop adapters, close the database. */
  async stop(drainMs = this.runtime.config.file.gateway.drain_timeout_seconds * 1000): Promise<void> {
    this.runtime.shuttingDown = true;
    const still = await this.runtime.lanes.drain(drainMs);
    if (still > 0)
      this.options.logger.warn(
        'turns still running at shutdown; their messages will be replayed on the next start',
        { count: still },
      );
    await Promise.race([
      Promise.allSettled([...this.background]),
      new Promise((r) => setTimeout(r, Math.min(drainMs, 2000))),
    ]);
    await this.supervisor.stopAll();
    this.sweeperStop?.();
    this.cronStop?.();
    this.watchdogStop?.();
    clearInterval(this.pruneTimer);
    removeFile(this.runtime.config.paths.statusFile);
    this.runtime.db.close();
  }
}
