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
import { filePairingDocuments, kvPairingDocuments, PairingStore } from '../inbound/pairing-store.js';
import { replayEntries } from '../inbound/replay.js';
import { SessionDispatcher } from '../inbound/session-dispatch.js';
import { gatewayAttachPolicy } from '../outbound/attachable-path.js';
import { Deliverer } from '../outbound/deliverer.js';
import { recoverReplies } from '../outbound/reply-recovery.js';
import { AdapterSupervisor } from '../platforms/adapter-supervisor.js';
import { type ConnectionOwnership, startConnectionOwnership } from '../platforms/connection-ownership.js';
import {
  ACTION_OP,
  forwardActionToReplicas,
  replicaAddress,
  serveForwardedAction,
} from '../platforms/forwarded-actions.js';
import { startLivenessWatchdog } from '../platforms/liveness-watchdog.js';
import { conventionalProfile, type PlatformProfile } from '../platforms/platform-profile.js';
import { remotePlatformAdapter, servePlatformCalls } from '../platforms/remote-adapter.js';
import { ATTACHMENT_OP, fetchAttachmentElsewhere, serveAttachment } from '../platforms/remote-attachments.js';
import {
  AGENT_TOOL_OP,
  type AgentToolRunner,
  agentToolElsewhere,
  serveAgentTool,
} from '../platforms/remote-tools.js';
import { type GatewayStatusFile, removeFile, writeStatusFile } from '../platforms/status-file.js';
import { sessionKeyFor } from '../sessions/session-key.js';
import type { Skill } from '../skills/skill-library.js';
import type { JournalEntry } from '../state/inbound-journal.js';
import type { OutboxEntry } from '../state/outbox.js';
import { openSqliteStorage } from '../state/sqlite-storage.js';
import type { RecoveryScope, ReplicaCoordination, StateStorage } from '../state/storage.js';
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
  /** Where state lives (PostgreSQL when `HERMES_DATABASE_URL` is set); default: `state.db` in HERMES_HOME. */
  storage?: StateStorage;
  /** With replicas: how often the connection holder sweeps unsent replies, and how old they must be (tests shorten both). */
  staleReplies?: { everyMs: number; afterMs: number };
}

const RESTART_NOTICE_KEY = 'restart:notify';
/** How often the connection holder looks for replies other replicas could not send, and how old they must be. */
const STALE_REPLY_SWEEP_MS = 10_000;
const STALE_REPLY_AGE_MS = 30_000;
const ALWAYS_ALLOWED_KEY = 'approvals:always';

/** The thin host: adapters in, sessions, access, commands, lanes, the agent, delivery out. */
/** Replies and messages a stop left behind, read before the adapters that would add new ones start. */
interface Leftovers {
  replies: OutboxEntry[];
  messages: JournalEntry[];
}

export class GatewayHost {
  readonly runtime: HostRuntime;
  private readonly supervisor: AdapterSupervisor;
  private readonly background = new Set<Promise<void>>();
  private readonly statusListeners = new Set<() => void>();
  private restartListener: (() => void) | undefined;
  private lastStatusWritten: string | undefined;
  private readonly startedAt = new Date();
  private sweeperStop: (() => void) | undefined;
  private cronStop: ((waitMs?: number) => Promise<void>) | undefined;
  private ownership: ConnectionOwnership | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private watchdogStop: (() => void) | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private dispatcher: SessionDispatcher | undefined;
  private staleReplies: NodeJS.Timeout | undefined;
  private callServer: { close(): Promise<void> } | undefined;
  private readonly remoteAdapters = new Map<string, PlatformAdapter>();
  readonly cron: CronJobsStore;

  constructor(private readonly options: GatewayHostOptions) {
    const { config, logger } = options;
    const storage: StateStorage = options.storage ?? openSqliteStorage(config.paths.stateDb);
    const mediaCache = new MediaCache({ dir: join(config.paths.cacheDir, 'media') });
    const { outbox, kv } = storage;
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
    const profileOf = (platform: string) => options.profiles?.[platform] ?? conventionalProfile(platform);
    // With replicas, an exclusive connection waits in standby until this replica holds its lease.
    for (const adapter of options.adapters)
      this.supervisor.add(adapter, {
        standby:
          storage.replicas !== undefined && profileOf(adapter.platform).connectionScope === 'exclusive',
      });
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
      adapterFor: (p) => this.adapterFor(p),
    });
    const approvals =
      options.approvals ??
      createApprovalGate({
        // `/approve always` outlives the process: the pattern is kept in the store (loaded by start()).
        onAlwaysAllowed: (pattern) => {
          void kv
            .get<string[]>(ALWAYS_ALLOWED_KEY)
            .then((kept) => kv.set(ALWAYS_ALLOWED_KEY, [...new Set([...(kept ?? []), pattern])]))
            .catch((err: unknown) =>
              logger.error('`/approve always` not kept for the next start', {
                error: (err as Error).message,
              }),
            );
        },
      });
    const sessionOptions = {
      groupSessionsPerUser: config.file.group_sessions_per_user,
      threadSessionsPerUser: config.file.thread_sessions_per_user,
    };
    this.runtime = {
      config,
      env: { ...config.env },
      logger,
      storage,
      sessions: storage.sessions,
      journal: storage.journal,
      outbox,
      kv,
      turns: storage.turns,
      units: storage.units,
      // Replicas share the pairing through the state's kv store: a message may run on any of them.
      pairing: new PairingStore(
        storage.replicas !== undefined
          ? kvPairingDocuments(kv, storage.location)
          : filePairingDocuments(config.paths.pairingDir),
      ),
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
      adapterFor: (p) => this.adapterFor(p),
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
      replayBarriers: new Map(),
      sessionDispatch: undefined,
      requestRestart: (chat, afterReply) => {
        const listener = this.restartListener;
        if (!listener) return false;
        // After the command's reply has gone out, and once the chat is kept for the "back online" notice.
        const kept = this.runtime.kv
          .set(RESTART_NOTICE_KEY, chat)
          .catch((err: unknown) =>
            logger.warn('the restart will not be announced', { error: (err as Error).message }),
          );
        void Promise.allSettled([kept, afterReply]).then(() => setImmediate(listener));
        return true;
      },
    };
    this.sweeperStop = mediaCache.startSweeper(3_600_000);
    // With replicas, the jobs are the shared state's (kv), so every replica sees and runs the same ones.
    this.cron = new CronJobsStore(config.paths.cronDir, storage);
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    const profiles = [...this.supervisor.slots.keys()].map((p) => this.runtime.profileOf(p));
    if (nothingAllowed(this.runtime.env, profiles)) {
      logger.warn(
        'no allowlist is configured: every user will be asked to pair. Set GATEWAY_ALLOWED_USERS or <PLATFORM>_ALLOWED_USERS to allow people directly.',
      );
    }
    const kept = await this.runtime.kv.get<string[]>(ALWAYS_ALLOWED_KEY);
    if (kept) (this.runtime.approvals as Partial<InMemoryApprovalGate>).restoreAlwaysAllowed?.(kept);
    await this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), 3_600_000);
    this.pruneTimer.unref();
    const replicas = this.runtime.storage.replicas;
    if (replicas) this.dispatchSessions(replicas);
    const mine = this.ownScope();
    await this.quarantine(mine);
    const leftovers = await this.leftovers(mine);
    this.writeStatus();
    await this.registerCommandMenus();
    await this.supervisor.startAll();
    if (replicas) {
      await replicas.heartbeat();
      this.presenceTimer = setInterval(() => {
        void replicas
          .heartbeat()
          .catch((err: unknown) =>
            logger.warn('replica heartbeat not recorded', { error: (err as Error).message }),
          );
      }, 5000);
      this.presenceTimer.unref();
      this.ownership = this.startOwnership(replicas);
      this.staleReplies = setInterval(
        () => void this.sendStaleReplies(),
        this.options.staleReplies?.everyMs ?? STALE_REPLY_SWEEP_MS,
      );
      this.staleReplies.unref();
      if (replicas.calls) {
        const calls = replicas.calls;
        const address = replicaAddress(replicas.replicaId);
        this.runtime.forwardAction = (platform, action) =>
          forwardActionToReplicas(replicas, calls, platform, action);
        this.callServer = servePlatformCalls(
          calls,
          (p) => this.supervisor.get(p),
          () => [...(this.ownership?.owned() ?? []), address],
          {
            onError: (err) =>
              logger.warn('adapter calls from other replicas interrupted; polling until they are back', {
                error: (err as Error).message,
              }),
            hostOps: {
              [ATTACHMENT_OP]: (args) => serveAttachment((id) => this.dispatcher?.liveMessage(id), args),
              [ACTION_OP]: (args) => serveForwardedAction(this.runtime, args),
              [AGENT_TOOL_OP]: (args) => serveAgentTool((p) => this.supervisor.get(p), args),
            },
          },
        );
      }
    }
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
    await this.recover(leftovers);
    await this.dispatcher?.start();
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

  /**
   * What this process recovers at start: everything when it is alone; with replicas, the rows it wrote itself
   * on the platforms every replica serves (exclusive platforms are recovered by whoever takes the connection).
   */
  private ownScope(): RecoveryScope | undefined {
    const replicas = this.runtime.storage.replicas;
    if (!replicas) return undefined;
    const shared = [...this.supervisor.slots.keys()].filter(
      (p) => this.runtime.profileOf(p).connectionScope === 'shared',
    );
    return { platforms: shared, writtenBy: replicas.replicaId };
  }

  /**
   * Replies left `sending` by the last stop are never re-sent, they may have arrived; except on a platform
   * that dedupes sends on the key every try carries, within its window: those are sent again.
   */
  private async quarantine(scope: RecoveryScope | undefined): Promise<void> {
    for (const platform of scope?.platforms ?? [...this.supervisor.slots.keys()]) {
      const window = this.supervisor.get(platform)?.capabilities.idempotentSend?.windowMs;
      if (window === undefined) continue;
      const resumed = await this.runtime.outbox.resumeInFlight(platform, window);
      if (resumed > 0)
        this.options.logger.info('replies interrupted mid-send go out again under their idempotency keys', {
          platform,
          count: resumed,
        });
    }
    const ambiguous = await this.runtime.outbox.quarantineInFlight(scope);
    if (ambiguous > 0)
      this.options.logger.warn(
        'replies interrupted mid-send by the last stop are not re-sent (they may have arrived)',
        { count: ambiguous, ...(scope ? { platforms: scope.platforms.join(',') } : {}) },
      );
  }

  /** After a crash: deliver recorded-but-unsent replies once, then replay acknowledged-but-unanswered messages. */
  /**
   * What the last stop left in scope, read before the adapters start: what they journal and answer from then
   * on is live work, and recovering it as well would answer it twice.
   */
  private async leftovers(scope: RecoveryScope | undefined): Promise<Leftovers> {
    if (scope?.platforms.length === 0) return { replies: [], messages: [] };
    const dispatched = this.runtime.sessionDispatch?.platforms;
    // Messages any replica may run are claimed by session, not replayed by whoever finds them first.
    const replayed = scope?.platforms.filter((p) => !dispatched?.has(p));
    const open = replayed?.length === 0 ? [] : await this.runtime.journal.open(scope);
    return {
      replies: await this.runtime.outbox.pending(scope),
      messages: dispatched ? open.filter((e) => !dispatched.has(e.platform)) : open,
    };
  }

  /**
   * Replicas share turns: messages of every platform but request/reply ones (whose client waits on this
   * process's socket) are run by whichever replica claims their session.
   */
  private dispatchSessions(replicas: ReplicaCoordination): void {
    const platforms = [...this.supervisor.slots.keys()].filter(
      (p) => this.runtime.profileOf(p).kind !== 'request-reply',
    );
    const calls = replicas.calls;
    const dispatcher = new SessionDispatcher(this.runtime, {
      claims: replicas.sessions,
      handedOver: platforms,
      platforms: () => platforms.filter((p) => this.canRunTurnsOf(p)),
      ttlMs: this.leaseTtlMs(),
      maxSessions: this.runtime.config.file.gateway.max_concurrent_runs,
      ...(calls
        ? {
            fetchElsewhere: (entry, index) =>
              fetchAttachmentElsewhere(
                calls,
                join(this.runtime.config.paths.cacheDir, 'media'),
                entry,
                index,
              ),
          }
        : {}),
    });
    this.dispatcher = dispatcher;
    this.runtime.sessionDispatch = dispatcher;
  }

  /**
   * The adapter a turn uses: this replica's, or, for a connection another replica holds, one that asks the
   * holder to send, edit, react and type on its connection.
   */
  private adapterFor(platform: string): PlatformAdapter | undefined {
    const local = this.supervisor.get(platform);
    const calls = this.runtime?.storage.replicas?.calls;
    if (!local || !calls || !this.supervisor.isStandby(platform)) return local;
    let remote = this.remoteAdapters.get(platform);
    if (!remote) {
      remote = remotePlatformAdapter(local, calls);
      this.remoteAdapters.set(platform, remote);
    }
    return remote;
  }

  /**
   * Where a platform's agent tools run: undefined here (this replica runs the platform, or is alone), else
   * through the replica holding its connection.
   */
  agentToolRoute(platform: string): AgentToolRunner | undefined {
    const calls = this.runtime.storage.replicas?.calls;
    if (!calls || !this.supervisor.isStandby(platform)) return undefined;
    return agentToolElsewhere(calls, platform);
  }

  /**
   * A turn needs the platform's adapter: here when this replica runs it (every replica runs shared ones), or
   * the holder's, reached through the database, when another replica holds the connection.
   */
  private canRunTurnsOf(platform: string): boolean {
    return !this.supervisor.isStandby(platform) || this.runtime.storage.replicas?.calls !== undefined;
  }

  /** HERMES_CONNECTION_LEASE_SECONDS (default 15 s): connection and session leases alike. */
  private leaseTtlMs(): number {
    const set = this.runtime.env.HERMES_CONNECTION_LEASE_SECONDS;
    const seconds = Number(set ?? 15);
    const valid = Number.isFinite(seconds) && seconds >= 1 && seconds <= 3600;
    if (!valid && !this.warnedLeaseTtl) {
      this.warnedLeaseTtl = true;
      this.options.logger.warn(
        'HERMES_CONNECTION_LEASE_SECONDS is not a number of seconds between 1 and 3600; using 15 (fix the value in .env)',
        { value: set },
      );
    }
    return Math.round((valid ? seconds : 15) * 1000);
  }

  private warnedLeaseTtl = false;

  private async recover(left: Leftovers, platform?: string): Promise<void> {
    if (left.replies.length || left.messages.length)
      this.options.logger.info(
        platform ? 'taking over what the previous holder left' : 'recovering after an unclean stop',
        {
          ...(platform ? { platform } : {}),
          replies: left.replies.length,
          messages: left.messages.length,
        },
      );
    await recoverReplies(this.runtime, left.replies);
    await replayEntries(this.runtime, left.messages);
  }

  /** Exclusive connections: held by one replica at a time, taken over when their holder is gone. */
  private startOwnership(replicas: ReplicaCoordination): ConnectionOwnership {
    const exclusive = [...this.supervisor.slots.keys()].filter(
      (p) => this.runtime.profileOf(p).connectionScope === 'exclusive',
    );
    const ttlMs = this.leaseTtlMs();
    const leftovers = new Map<string, Leftovers>();
    const opens = new Map<string, () => void>();
    const openBarrier = (platform: string) => {
      this.runtime.replayBarriers.delete(platform);
      opens.get(platform)?.();
      opens.delete(platform);
    };
    return startConnectionOwnership({
      coordination: replicas,
      platforms: exclusive,
      ttlMs,
      logger: this.options.logger,
      beforeStart: async (platform) => {
        const scope = { platforms: [platform] };
        await this.quarantine(scope);
        leftovers.set(platform, await this.leftovers(scope));
      },
      start: (platform) => {
        // Messages the adapter brings in now wait for the leftovers' replay (afterStart) to be queued first.
        const barrier = new Promise<void>((resolve) => opens.set(platform, resolve));
        this.runtime.replayBarriers.set(platform, barrier);
        return this.supervisor.takeOver(platform).catch((err: unknown) => {
          openBarrier(platform);
          throw err;
        });
      },
      afterStart: async (platform) => {
        const left = leftovers.get(platform);
        leftovers.delete(platform);
        try {
          if (left) await this.recover(left, platform);
        } finally {
          openBarrier(platform);
        }
      },
      standBy: (platform, detail) => this.supervisor.standBy(platform, detail),
      onChange: () => this.writeStatus(),
    });
  }

  /**
   * Replies of the platforms this replica holds that nobody sent: recorded by a replica that died before
   * sending, or kept pending when the connection was changing hands. Each goes out once (a row turns to
   * sending only from pending, so a replica still trying cannot send it too).
   */
  private async sendStaleReplies(): Promise<void> {
    const owned = this.ownership?.owned() ?? [];
    if (owned.length === 0 || this.runtime.shuttingDown) return;
    try {
      const stale = await this.runtime.outbox.stale(
        owned,
        this.options.staleReplies?.afterMs ?? STALE_REPLY_AGE_MS,
      );
      if (stale.length === 0) return;
      this.options.logger.info('sending replies other replicas left unsent', { count: stale.length });
      await recoverReplies(this.runtime, stale, '♻️ Delayed reply (it could not be sent at first):');
    } catch (err) {
      this.options.logger.warn('unsent replies not swept; trying again shortly', {
        error: (err as Error).message,
      });
    }
  }

  /**
   * Keeps state.db bounded: finished journal rows (the inbound dedupe window) and finished outbox rows older
   * than 7 days are deleted; open ones are never touched.
   */
  private async prune(): Promise<void> {
    const week = 7 * 24 * 3_600_000;
    try {
      const journal = await this.runtime.journal.prune(week);
      const outbox = await this.runtime.outbox.prune(week);
      // Forwarded adapter calls matter only while their caller waits: an hour is plenty for a post-mortem.
      const calls = (await this.runtime.storage.replicas?.calls?.prune(3_600_000)) ?? 0;
      if (journal || outbox || calls) this.options.logger.info('state pruned', { journal, outbox, calls });
    } catch (err) {
      this.options.logger.warn('state not pruned; trying again in an hour', {
        error: (err as Error).message,
      });
    }
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
    const chat = await this.runtime.kv.get<ChatRef>(RESTART_NOTICE_KEY);
    if (!chat) return;
    await this.runtime.kv.delete(RESTART_NOTICE_KEY);
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
    const replicas = this.runtime.storage.replicas;
    const replica = replicas ? { id: replicas.replicaId, owns: this.ownership?.owned() ?? [] } : undefined;
    // The watchdog asks every tick; the file is rewritten only when what it says changed.
    const written = JSON.stringify([platforms, replica]);
    if (written === this.lastStatusWritten) return;
    try {
      writeStatusFile(this.runtime.config.paths.statusFile, {
        pid: process.pid,
        startedAt: this.startedAt.toISOString(),
        updatedAt: new Date().toISOString(),
        platforms,
        ...(replica ? { replica } : {}),
      });
      this.lastStatusWritten = written;
    } catch (err) {
      this.options.logger.warn('status file not written', { error: (err as Error).message });
    }
  }

  /** SIGTERM: stop taking work, let running turns wrap up (bounded), stop adapters, close the database. */
  async stop(drainMs = this.runtime.config.file.gateway.drain_timeout_seconds * 1000): Promise<void> {
    this.runtime.shuttingDown = true;
    await this.dispatcher?.quiesce();
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
    // A command's answer or a turn's last chunk still on its way goes out before the connection closes.
    await this.runtime.deliverer.idle(Math.min(drainMs, 5000));
    // Calls other replicas made on this one's connections are answered before the connections close.
    await this.callServer?.close();
    await this.supervisor.stopAll();
    // The sessions this replica ran go back at once: another replica runs what they still hold.
    await this.dispatcher?.stop();
    clearInterval(this.presenceTimer);
    clearInterval(this.staleReplies);
    // After the adapters stopped: another replica may take their connections over at once.
    await this.ownership?.stop();
    this.sweeperStop?.();
    // A run in progress gets a moment to record its result before the storage closes.
    await this.cronStop?.(Math.min(drainMs, 2000));
    this.watchdogStop?.();
    clearInterval(this.pruneTimer);
    removeFile(this.runtime.config.paths.statusFile);
    await this.runtime.storage.close();
  }
}
