import { join } from 'node:path';
import {
  type ChatRef,
  type InboundMessage,
  type Logger,
  MediaCache,
  mediaAllowPrivateFromEnv,
  type PlatformAdapter,
} from '@hermes/adapter-core';
import { type ApprovalGate, createApprovalGate, type InMemoryApprovalGate } from '@hermes/agent';
import { createCommandRegistry } from '../commands/handlers.js';
import type { LoadedConfig } from '../config/load.js';
import { startCronTicker } from '../cron/cron-runner.js';
import { CronJobsStore } from '../cron/jobs-store.js';
import { handleAction } from '../inbound/approval-actions.js';
import { nothingAllowed } from '../inbound/authorize.js';
import { handleInbound } from '../inbound/intake.js';
import { PairingStore } from '../inbound/pairing-store.js';
import { replayOpenMessages } from '../inbound/replay.js';
import { gatewayAttachPolicy } from '../outbound/attachable-path.js';
import { Deliverer } from '../outbound/deliverer.js';
import { recoverUnsentReplies } from '../outbound/reply-recovery.js';
import { AdapterSupervisor } from '../platforms/adapter-supervisor.js';
import { startLivenessWatchdog } from '../platforms/liveness-watchdog.js';
import { conventionalProfile, type PlatformProfile } from '../platforms/platform-profile.js';
import { type GatewayStatusFile, removeFile, writeStatusFile } from '../platforms/status-file.js';
import { sessionKeyFor } from '../sessions/session-key.js';
import type { Skill } from '../skills/skill-library.js';
import { openStateDb } from '../state/db.js';
import { InboundJournal } from '../state/inbound-journal.js';
import { KvStore } from '../state/kv-store.js';
import { Outbox } from '../state/outbox.js';
import { SessionStore } from '../state/session-store.js';
import { TurnLog } from '../state/turn-log.js';
import { startBackgroundTask } from '../turn/background-task.js';
import { ClarifyQuestions } from '../turn/clarify-questions.js';
import type { PendingInput } from '../turn/compose-turn.js';
import { LaneScheduler } from '../turn/lane-scheduler.js';
import { ChatBudgets } from '../turn/streaming/chat-budget.js';
import { runAgentTurn } from '../turn/turn-runner.js';
import type { HostRuntime, TurnAgent } from './runtime.js';

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
  /** Installed skills, for turns whose platform names some (webhook routes). */
  skills?: readonly Skill[];
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
      clarify: new ClarifyQuestions(),
      skills: options.skills ?? [],
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
    const open = this.runtime.journal.open().length;
    const replies = this.runtime.outbox.pending().length;
    if (replies || open)
      this.options.logger.info('recovering after an unclean stop', { replies, messages: open });
    await recoverUnsentReplies(this.runtime);
    await replayOpenMessages(this.runtime);
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
    const task = startBackgroundTask(this.runtime, chat, sessionKey, prompt);
    const done = task.done.finally(() => this.background.delete(done));
    this.background.add(done);
    return task.id;
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
