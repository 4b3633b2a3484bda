import type { Logger } from '@hermes/adapter-core';
import type { ConnectionClaim, ReplicaCoordination } from '../state/storage.js';

export interface ConnectionOwnershipOptions {
  coordination: ReplicaCoordination;
  /** Platforms whose connection exists once across all replicas. */
  platforms: readonly string[];
  ttlMs: number;
  logger: Logger;
  /** Called with the lease held, before the adapter starts: leftovers of the previous owner are settled. */
  beforeStart(platform: string): Promise<void>;
  /** Starts the adapter (this replica holds the connection now). */
  start(platform: string): Promise<void>;
  /** After the adapter is up: the previous owner's unsent replies and unanswered messages. */
  afterStart(platform: string): Promise<void>;
  /** Stops the adapter at once: the lease is gone. */
  standBy(platform: string, detail: string): Promise<void>;
  onChange(): void;
}

export interface ConnectionOwnership {
  owned(): string[];
  /** Stops claiming; gives back every held lease so another replica takes over without waiting. */
  stop(): Promise<void>;
}

/**
 * Holds the connection of each exclusive platform on at most one replica. A replica that does not hold one
 * tries again when the holder's lease would run out, so a dead owner is replaced within about one TTL.
 */
export function startConnectionOwnership(o: ConnectionOwnershipOptions): ConnectionOwnership {
  const claims = new Map<string, ConnectionClaim>();
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  const retry = (platform: string, inMs: number) => {
    if (stopped) return;
    clearTimeout(timers.get(platform));
    const timer = setTimeout(() => void attempt(platform), Math.max(25, Math.round(inMs)));
    timer.unref();
    timers.set(platform, timer);
  };

  const lost = (platform: string, reason: string) => {
    claims.delete(platform);
    o.logger.warn('connection lease lost; this replica stops using it', { platform, reason });
    void o.standBy(platform, `standby: connection lease lost (${reason})`).finally(() => o.onChange());
    retry(platform, o.ttlMs / 3);
  };

  async function attempt(platform: string): Promise<void> {
    if (stopped || claims.has(platform)) return;
    const asked = Date.now();
    let result: Awaited<ReturnType<ReplicaCoordination['claimConnection']>>;
    try {
      result = await o.coordination.claimConnection(platform, o.ttlMs, (reason) => lost(platform, reason));
    } catch (err) {
      o.logger.warn('connection lease could not be claimed; trying again', {
        platform,
        error: (err as Error).message,
      });
      retry(platform, o.ttlMs / 3);
      return;
    }
    if (!result.ok) {
      // Ask again just after the holder's lease would end: a dead holder is replaced within about one TTL.
      retry(platform, Math.min(o.ttlMs / 3, result.expiresInMs + 25));
      return;
    }
    if (stopped) {
      await result.claim.release().catch(() => undefined);
      return;
    }
    claims.set(platform, result.claim);
    o.logger.info('connection taken: this replica now holds it', {
      platform,
      fence: result.claim.token.toString(),
      claimMs: Date.now() - asked,
    });
    try {
      await o.beforeStart(platform);
      await o.start(platform);
      o.onChange();
      await o.afterStart(platform);
    } catch (err) {
      o.logger.error('taking over the connection failed; it stays with this replica and is retried', {
        platform,
        error: (err as Error).message,
      });
    }
  }

  for (const platform of o.platforms) void attempt(platform);

  return {
    owned: () => [...claims.keys()],
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      const held = [...claims.values()];
      claims.clear();
      await Promise.all(held.map((c) => c.release().catch(() => undefined)));
    },
  };
}
