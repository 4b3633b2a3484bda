import { type Attachment, type InboundMessage, RecentMap } from '@hermes/adapter-core';
import type { ClaimedEntry, HeldSession, SessionClaims } from '../state/storage.js';
import { decodeInbound } from './inbound-codec.js';
import { type IntakeDeps, processInbound } from './intake.js';
import { replayEntry } from './replay.js';

export interface SessionDispatchOptions {
  claims: SessionClaims;
  /** Every platform whose messages are handed over by journal entry (request/reply ones never are). */
  handedOver: readonly string[];
  /** Platforms whose messages this replica can run right now (asked on every pass). */
  platforms(): readonly string[];
  /** Session lease time (the connection lease's): how long a gone replica's sessions wait for another. */
  ttlMs: number;
  /** Sessions this replica runs at once; past it, new sessions are left to the others. */
  maxSessions: number;
  /**
   * An attachment of a message journaled by another replica: only that replica's adapter can download it
   * (platform sessions, decryption keys), so it is asked for the file. Resolves to a local path.
   */
  fetchElsewhere?(
    entry: { id: number; platform: string },
    index: number,
    attachment: Attachment,
  ): Promise<string>;
}

interface Running {
  session: HeldSession;
  /** The session's messages, one after another in journal order. */
  chain: Promise<void>;
  /** Bumped with each claim; release only when no claim came in while the lane drained. */
  generation: number;
}

/**
 * Runs journaled messages on whichever replica claims their session (issue 15). A pass asks which sessions
 * wait, takes their leases, claims their open entries in order and hands each to `processInbound` inside the
 * lease's fence: every message of a session reaches the one replica running it, so interrupt, queue and steer
 * work as they do in one process. A session is let go when its lane is idle, so the next burst may go anywhere.
 */
export class SessionDispatcher {
  private readonly running = new Map<string, Running>();
  private passing: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private listener: { ready: Promise<void>; stop(): Promise<void> } | undefined;
  /**
   * Messages with attachments journaled here, as the adapter handed them (their downloads work only here),
   * by journal id: used when this replica runs them, and served to the replica that does.
   */
  private readonly live = new RecentMap<InboundMessage>(1000);

  /** Platforms whose messages are handed over by journal entry (see `HostRuntime.sessionDispatch`). */
  readonly platforms: ReadonlySet<string>;

  constructor(
    private readonly rt: IntakeDeps,
    private readonly options: SessionDispatchOptions,
  ) {
    this.platforms = new Set(options.handedOver);
  }

  async start(): Promise<void> {
    this.listener = this.options.claims.listen(
      () => this.wake(),
      (error) =>
        this.rt.logger.warn('wake-ups for new messages interrupted; polling until they are back', {
          error: (error as Error).message,
        }),
    );
    await this.listener.ready;
    this.wake();
  }

  /** A message was journaled (here or, through NOTIFY, elsewhere): look for work. */
  wake(): void {
    if (this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = this.pass()
      .catch((err: unknown) =>
        this.rt.logger.warn('could not look for messages to run; trying again', {
          error: (err as Error).message,
        }),
      )
      .finally(() => {
        this.passing = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Keeps a journaled message's live attachments for whichever replica runs it. */
  keep(journalId: number, msg: InboundMessage): void {
    if (msg.attachments.length > 0) this.live.set(String(journalId), msg);
  }

  /** The live message of a journal entry made here, if still kept (for another replica's download). */
  liveMessage(journalId: number): InboundMessage | undefined {
    return this.live.get(String(journalId));
  }

  private async pass(): Promise<void> {
    const { claims, platforms, maxSessions } = this.options;
    const room = Math.max(0, maxSessions - this.running.size);
    const keys = await claims.waiting(platforms(), room + this.running.size);
    for (const key of keys) {
      if (this.stopped) return;
      const mine = this.running.get(key) ?? (room > 0 ? await this.take(key) : undefined);
      if (mine) await this.claim(key, mine);
    }
  }

  private async take(key: string): Promise<Running | undefined> {
    if (this.running.size >= this.options.maxSessions) return undefined;
    const session = await this.options.claims.acquire(key, this.options.ttlMs, (reason) =>
      this.lost(key, session, reason),
    );
    if (!session) return undefined;
    const running: Running = { session, chain: Promise.resolve(), generation: 0 };
    this.running.set(key, running);
    return running;
  }

  private async claim(key: string, running: Running): Promise<void> {
    const claimed = await this.options.claims.claim(running.session);
    if (claimed.length === 0 && running.generation > 0) return;
    running.generation++;
    const generation = running.generation;
    for (const item of claimed)
      running.chain = running.chain.then(() =>
        // Under a lost lease nothing more starts: the next holder reclaims the entry.
        running.session.held()
          ? this.options.claims.within(running.session, () => this.run(item))
          : undefined,
      );
    void running.chain.then(() => this.letGo(key, running, generation));
  }

  private async run({ entry, reclaimed }: ClaimedEntry): Promise<void> {
    try {
      // An entry an earlier holder claimed may have started a turn: replay undoes and counts that first.
      const live = this.live.take(String(entry.id));
      if (reclaimed || entry.attempts > 0) await replayEntry(this.rt, entry);
      else await processInbound(this.rt, live ?? this.fromJournal(entry), [entry.id]);
    } catch (err) {
      this.rt.logger.error('inbound message failed', {
        platform: entry.platform,
        id: entry.id,
        error: (err as Error).message,
      });
    }
  }

  /** A message journaled elsewhere: its attachments are downloaded through the replica that journaled it. */
  private fromJournal(entry: ClaimedEntry['entry']): InboundMessage {
    const { msg } = decodeInbound(entry.payload);
    const fetchElsewhere = this.options.fetchElsewhere;
    if (!fetchElsewhere || msg.attachments.length === 0) return msg;
    return {
      ...msg,
      attachments: msg.attachments.map((a, index) => ({
        ...a,
        fetch: () => fetchElsewhere(entry, index, a),
      })),
    };
  }

  /** Once the session's lane is idle and nothing was claimed meanwhile, its lease goes back. */
  private async letGo(key: string, running: Running, generation: number): Promise<void> {
    await this.rt.lanes.idle(key);
    if (this.running.get(key) !== running || running.generation !== generation || this.stopped) return;
    this.running.delete(key);
    await this.options.claims.release(running.session).catch(() => undefined);
    // A message journaled while the lease was going back waits for a pass: make one.
    this.wake();
  }

  private lost(key: string, session: HeldSession | undefined, reason: string): void {
    const running = this.running.get(key);
    if (!running || running.session !== session) return;
    this.running.delete(key);
    this.rt.logger.warn('session lease lost; its messages go to the replica that takes it', {
      session: key,
      reason,
    });
    // Whatever waits in the lane is claimed again by the new holder; the running turn's writes are refused.
    this.rt.lanes.interrupt(key, { discardQueued: true, reason: 'session lease lost' });
  }

  /** At shutdown, before the lanes drain: no new claims. */
  async quiesce(): Promise<void> {
    this.stopped = true;
    await this.passing;
    await this.listener?.stop();
    this.listener = undefined;
  }

  /** At shutdown, after the lanes drained: every session lease goes back so others take over at once. */
  async stop(): Promise<void> {
    await this.quiesce();
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.allSettled(all.map((r) => this.options.claims.release(r.session)));
  }
}
