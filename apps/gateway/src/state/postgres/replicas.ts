import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseKeeper, LeaseManager } from '@hermes/state-postgres';
import type {
  ClaimResult,
  PlatformCalls,
  ReplicaCoordination,
  ReplicaQueue,
  ReplicaView,
  SessionClaims,
} from '../storage.js';
import type { PgExecutor, Statement } from './executor.js';
import { connectionLeaseName } from './fences.js';
import { PgSessionClaims } from './session-claims.js';

/** A replica unseen for this long is shown as gone (its heartbeat runs every few seconds). */
const GONE_AFTER_MS = 20_000;

const Q = {
  heartbeat: {
    name: 'hs_replica_heartbeat',
    text: `INSERT INTO replicas (id, lease_owner, host, pid, started_at, seen_at)
           VALUES ($1, $2, $3, $4, $5, clock_timestamp())
           ON CONFLICT (id) DO UPDATE SET lease_owner = $2, host = $3, pid = $4, started_at = $5, seen_at = clock_timestamp()`,
  },
  list: {
    name: 'hs_replica_list',
    text: `SELECT r.id, r.host, r.pid, r.started_at,
                  (extract(epoch FROM r.seen_at) * 1000)::float8 AS seen_ms,
                  r.seen_at > clock_timestamp() - $1::integer * interval '1 millisecond' AS alive,
                  coalesce((SELECT json_agg(json_build_object(
                              'platform', substr(l.name, 12), 'token', l.token::text,
                              'heldForMs', (extract(epoch FROM clock_timestamp() - l.acquired_at) * 1000)::float8)
                            ORDER BY l.name)
                       FROM hermes_leases l
                      WHERE l.owner = r.lease_owner AND l.name LIKE 'connection:%'
                        AND l.expires_at > clock_timestamp()), '[]'::json) AS owns,
                  (SELECT count(*) FROM inbound i WHERE i.written_by = r.id AND i.state = 'received') AS open_messages,
                  (SELECT count(*) FROM hermes_leases l WHERE l.owner = r.lease_owner AND l.name LIKE 'session:%'
                      AND l.expires_at > clock_timestamp()) AS sessions,
                  (SELECT count(*) FROM inbound i JOIN hermes_leases l
                       ON l.name = 'session:' || i.session_key AND l.token = i.claim_token
                    WHERE l.owner = r.lease_owner AND l.expires_at > clock_timestamp() AND i.state = 'received') AS claimed_messages,
                  (SELECT count(*) FROM outbox o WHERE o.written_by = r.id AND o.state IN ('pending', 'sending')) AS pending_replies
             FROM replicas r
            WHERE r.seen_at > clock_timestamp() - interval '1 day'
            ORDER BY r.id`,
  },
  // Open messages no live session lease has claimed yet, and adapter calls no holder has taken yet.
  queue: {
    name: 'hs_replica_queue',
    text: `SELECT (SELECT count(*) FROM inbound i
                    WHERE i.state = 'received' AND NOT EXISTS (
                      SELECT 1 FROM hermes_leases l
                       WHERE l.name = 'session:' || i.session_key AND l.token = i.claim_token
                         AND l.expires_at > clock_timestamp())) AS waiting,
                  (SELECT count(*) FROM platform_calls WHERE state = 'pending') AS calls`,
  },
} satisfies Record<string, Statement>;

interface ReplicaRow {
  id: string;
  host: string;
  pid: number;
  started_at: number;
  seen_ms: number;
  alive: boolean;
  owns: ReplicaView['owns'];
  open_messages: number;
  sessions: number;
  claimed_messages: number;
  pending_replies: number;
}

/**
 * Connection ownership and presence on PostgreSQL. Leases are @hermes/state-postgres's (database clock,
 * fencing tokens from one sequence); while one is held its token fences this replica's writes for the
 * platform (see PgFences), and once lost they are refused before any other replica could take it.
 */
export class PgReplicaCoordination implements ReplicaCoordination {
  readonly #leases: LeaseManager;
  readonly #startedAt = Date.now();
  readonly sessions: SessionClaims;

  constructor(
    private readonly db: PgExecutor,
    readonly replicaId: string,
    readonly calls?: PlatformCalls,
  ) {
    // The lease owner is unique per process: a replica restarted in place must not inherit its old leases.
    this.#leases = new LeaseManager(db.pool, {
      replicaId: `${replicaId}:${process.pid}:${randomUUID().slice(0, 8)}`,
    });
    this.sessions = new PgSessionClaims(db, this.#leases);
  }

  async claimConnection(
    platform: string,
    ttlMs: number,
    onLost: (reason: string) => void,
  ): Promise<ClaimResult> {
    const got = await this.#leases.acquire(connectionLeaseName(platform), ttlMs);
    if (!got.ok) {
      const expiresInMs = Math.max(0, got.expiresAt.getTime() - Date.now());
      return { ok: false, owner: got.owner, expiresInMs };
    }
    const fences = this.db.fences;
    const keeper = new LeaseKeeper({
      manager: this.#leases,
      lease: got.lease,
      onLost: (reason) => {
        fences.lose(platform);
        onLost(reason);
      },
    });
    fences.hold(platform, () => keeper.lease);
    keeper.start();
    return {
      ok: true,
      claim: {
        platform,
        token: got.lease.token,
        held: () => keeper.held(),
        release: async () => {
          fences.lose(platform);
          await keeper.stop({ release: true });
        },
      },
    };
  }

  async queue(): Promise<ReplicaQueue> {
    const { rows } = await this.db.query<{ waiting: number; calls: number }>(Q.queue);
    return { waitingMessages: rows[0]?.waiting ?? 0, pendingCalls: rows[0]?.calls ?? 0 };
  }

  async heartbeat(): Promise<void> {
    await this.db.query(Q.heartbeat, [
      this.replicaId,
      this.#leases.replicaId,
      hostname(),
      process.pid,
      this.#startedAt,
    ]);
  }

  async replicas(): Promise<ReplicaView[]> {
    const { rows } = await this.db.query<ReplicaRow>(Q.list, [GONE_AFTER_MS]);
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      pid: r.pid,
      startedAt: r.started_at,
      lastSeenAt: Math.round(r.seen_ms),
      alive: r.alive,
      owns: r.owns.map((o) => ({ ...o, heldForMs: Math.round(o.heldForMs) })),
      openMessages: r.open_messages,
      sessions: r.sessions,
      claimedMessages: r.claimed_messages,
      pendingReplies: r.pending_replies,
    }));
  }
}
