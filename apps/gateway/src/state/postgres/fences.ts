import { AsyncLocalStorage } from 'node:async_hooks';
import type { Lease } from '@hermes/state-postgres';
import { StatePostgresStorageError } from './errors.js';

/** A session lease this replica holds while it runs the session's messages; `lease()` undefined once lost. */
export interface SessionFence {
  readonly sessionKey: string;
  lease(): Lease | undefined;
}

/**
 * The session whose messages the current async flow is running (set by the turn dispatcher around each
 * message): its writes are fenced by the session lease, not by a platform connection this replica may not hold.
 */
export const sessionFenceContext = new AsyncLocalStorage<SessionFence>();

/** What fences one write: a session lease (inside a dispatched message), a connection lease, or nothing. */
export type WriteFence = { readonly what: string; readonly lease: Lease } | undefined;

type Fence = { readonly state: 'held'; readonly lease: () => Lease } | { readonly state: 'lost' };

/**
 * The connection leases whose fencing tokens guard this replica's writes, by platform. A platform with no
 * fence (HTTP platforms, a single gateway) writes freely; a held one writes only while its token is the live
 * one in the database; a lost or released one is refused outright, without asking the database.
 */
export class PgFences {
  readonly #fences = new Map<string, Fence>();

  hold(platform: string, lease: () => Lease): void {
    this.#fences.set(platform, { state: 'held', lease });
  }

  lose(platform: string): void {
    this.#fences.set(platform, { state: 'lost' });
  }

  get active(): boolean {
    return this.#fences.size > 0;
  }

  /**
   * The lease to assert for a write on `platform`: the running session's when there is one, else the
   * platform's connection lease; undefined when neither fences it; throws when the lease was lost.
   */
  fenceFor(platform: string | undefined, where: string): WriteFence {
    const session = sessionFenceContext.getStore();
    if (session) {
      const lease = session.lease();
      if (!lease) throw sessionLeaseLost(session.sessionKey, where);
      return { what: `session ${session.sessionKey}`, lease };
    }
    if (platform === undefined) return undefined;
    const lease = this.leaseFor(platform, where);
    return lease === undefined ? undefined : { what: `the ${platform} connection`, lease };
  }

  /** The lease to assert for a write on `platform`; undefined when it is not fenced; throws when lost. */
  leaseFor(platform: string, where: string): Lease | undefined {
    const fence = this.#fences.get(platform);
    if (fence === undefined) return undefined;
    if (fence.state === 'lost') throw leaseLost(platform, where);
    return fence.lease();
  }

  /** The platforms fenced here and the tokens still held, for a single-statement check. */
  snapshot(): { platforms: string[]; tokens: string[] } {
    const platforms: string[] = [];
    const tokens: string[] = [];
    for (const [platform, fence] of this.#fences) {
      platforms.push(platform);
      if (fence.state === 'held') tokens.push(fence.lease().token.toString());
    }
    return { platforms, tokens };
  }
}

export function leaseLost(platform: string, where: string): StatePostgresStorageError {
  return new StatePostgresStorageError(
    'state_lease_lost',
    where,
    `this replica no longer holds the ${platform} connection lease: the write was refused (the replica that holds it now carries on with this work)`,
  );
}

export function sessionLeaseLost(sessionKey: string, where: string): StatePostgresStorageError {
  return new StatePostgresStorageError(
    'state_lease_lost',
    where,
    `this replica no longer holds the lease of session ${sessionKey}: the write was refused (the replica that holds it now runs the session's messages again)`,
  );
}

/** Lease names of session ownership: whoever holds one runs that session's messages. */
export function sessionLeaseName(sessionKey: string): string {
  return `session:${sessionKey}`;
}

/** Lease names of connection ownership, one per platform. */
export function connectionLeaseName(platform: string): string {
  return `connection:${platform}`;
}
