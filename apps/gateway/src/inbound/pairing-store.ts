import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCachedJsonReader, writeJsonObject } from '../state/json-file.js';
import type { KvStorage } from '../state/storage.js';

/** The pairing constants of the Python gateway (spec 3.3), kept identical so codes and files interoperate. */
export const PAIRING = {
  alphabet: 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
  codeLength: 8,
  codeTtlSeconds: 3600,
  rateLimitSeconds: 600,
  maxPendingPerPlatform: 3,
  maxFailedAttempts: 5,
  lockoutSeconds: 3600,
} as const;

interface PendingEntry {
  hash: string;
  salt: string;
  user_id: string;
  user_name: string;
  created_at: number;
}
interface ApprovedEntry {
  user_name: string;
  approved_at: number;
}

export type GenerateCodeResult =
  | { ok: true; code: string }
  | { ok: false; reason: 'rate_limited' | 'too_many_pending' | 'locked_out' | 'store_unreadable' };

export type ApproveResult =
  | { ok: true; userId: string; userName: string }
  | { ok: false; reason: 'invalid_code' | 'locked_out' | 'store_unreadable' };

export interface PendingView {
  platform: string;
  requestId: string;
  hashPrefix: string;
  userId: string;
  userName: string;
  createdAt: number;
  expiresAt: number;
}

function hashCode(salt: Buffer, code: string): string {
  return createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(code, 'utf8')]))
    .digest('hex');
}

function isPendingEntry(v: unknown): v is PendingEntry {
  const e = v as PendingEntry;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(e.hash) &&
    typeof e.salt === 'string' &&
    /^[0-9a-f]{32}$/.test(e.salt) &&
    typeof e.user_id === 'string' &&
    typeof e.created_at === 'number'
  );
}

type Doc = Record<string, unknown>;

/**
 * Where the pairing documents live (`<platform>-pending.json`, `<platform>-approved.json`,
 * `_rate_limits.json`, which also holds the lockouts): files in the Python gateway's format, or the shared
 * state's kv store so that every replica sees the same pairing.
 */
export interface PairingDocuments {
  /** For logs and the CLI's messages: the directory, or the shared state. */
  readonly location: string;
  /** The document; `{}` when it does not exist; undefined when it exists but is unusable (corrupt). */
  read(name: string): Promise<Doc | undefined>;
  /**
   * Reads, changes and writes one document as a unit: no other `update` of it (in this process or, for the
   * kv store, on another replica) runs in between. `change` gets undefined for an unusable document and
   * returns the new document, or undefined to leave it as it is (an unusable one is never overwritten).
   * `change` must have no side effects beyond its own result: it may run more than once.
   */
  update(name: string, change: (doc: Doc | undefined) => Doc | undefined): Promise<void>;
  /** Names of the documents that exist, where the backend can list them (the kv store cannot: []). */
  names(): Promise<string[]>;
}

const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The files under `$HERMES_HOME/platforms/pairing/`. Every read goes to the file (through a cache keyed by
 * its identity), so `hermes pairing approve` in another process takes effect on the running gateway at
 * once. An update is atomic within this process only, as the Python gateway's files always were.
 */
export function filePairingDocuments(dir: string): PairingDocuments {
  const read = createCachedJsonReader();
  const load = (name: string): Doc | undefined => {
    const r = read(join(dir, name));
    return r.ok ? r.value : undefined;
  };
  return {
    location: dir,
    read: async (name) => load(name),
    update: async (name, change) => {
      // Read, change and write with no await in between: nothing else in this process interleaves.
      const next = change(load(name));
      if (next !== undefined) writeJsonObject(join(dir, name), next);
    },
    names: async () => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
  };
}

/**
 * The shared state's kv store, one key per document (`pairing:<document name>`), for replicas sharing a
 * PostgreSQL: `KvStorage.update` makes each read-change-write atomic across replicas.
 */
export function kvPairingDocuments(kv: KvStorage, location = 'the shared state'): PairingDocuments {
  const key = (name: string) => `pairing:${name}`;
  const usable = (v: unknown): Doc | undefined => (v === undefined ? {} : isDoc(v) ? v : undefined);
  return {
    location,
    read: async (name) => usable(await kv.get<unknown>(key(name))),
    update: async (name, change) => {
      // An unchanged document is written back as it was (or stays absent): `update` has no "no change".
      await kv.update<unknown>(key(name), (current) => change(usable(current)) ?? current);
    },
    names: async () => [],
  };
}

/**
 * DM pairing codes, stored as the Python gateway stores them (see PairingDocuments). Every operation
 * re-reads the documents, so an approval made elsewhere (the CLI, another replica) takes effect at once.
 *
 * Each document is changed atomically, but an operation touching several is a sequence of such changes,
 * ordered so that a race between processes can neither lose a write nor approve a code twice: a code is
 * consumed from the pending document before its user is approved, and a rate-limit slot is claimed before
 * the code is stored (and given back if the code cannot be).
 */
export class PairingStore {
  readonly documents: PairingDocuments;

  constructor(
    where: string | PairingDocuments,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    this.documents = typeof where === 'string' ? filePairingDocuments(where) : where;
  }

  /** The directory or store the documents are in, for logs. */
  get location(): string {
    return this.documents.location;
  }

  /** Malformed, legacy plaintext-keyed and expired entries are dropped here and pruned on the next write. */
  private livePending(raw: Doc): Record<string, PendingEntry> {
    const out: Record<string, PendingEntry> = {};
    const now = this.now();
    for (const [id, entry] of Object.entries(raw)) {
      if (
        /^[0-9a-f]{16}$/.test(id) &&
        isPendingEntry(entry) &&
        now - entry.created_at < PAIRING.codeTtlSeconds
      )
        out[id] = entry;
    }
    return out;
  }

  private async pending(platform: string): Promise<Record<string, PendingEntry> | undefined> {
    const raw = await this.documents.read(`${platform}-pending.json`);
    return raw && this.livePending(raw);
  }

  private numbers(raw: Doc): Record<string, number> {
    return Object.fromEntries(
      Object.entries(raw).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
  }

  private async limits(): Promise<Record<string, number> | undefined> {
    const raw = await this.documents.read('_rate_limits.json');
    return raw && this.numbers(raw);
  }

  /**
   * One atomic change of a document whose outcome the caller needs: `change` returns what to write (or
   * undefined: nothing) and the outcome. The outcome of the run that was written is the one returned.
   */
  private async change<R>(
    name: string,
    change: (doc: Doc | undefined) => { write?: Doc; result: R },
  ): Promise<R> {
    let result: R | undefined;
    let ran = false;
    await this.documents.update(name, (doc) => {
      const r = change(doc);
      result = r.result;
      ran = true;
      return r.write;
    });
    if (!ran) throw new Error(`pairing: the update of ${name} did not run`);
    return result as R;
  }

  async isLockedOut(platform: string): Promise<boolean> {
    const until = (await this.limits())?.[`_lockout:${platform}`];
    return until !== undefined && until > this.now();
  }

  async generateCode(platform: string, userId: string, userName = ''): Promise<GenerateCodeResult> {
    // A corrupt pending document refuses before anything is written, as it always did.
    if (!(await this.documents.read(`${platform}-pending.json`)))
      return { ok: false, reason: 'store_unreadable' };
    const now = this.now();
    const slot = `${platform}:${userId}`;
    type Claim =
      | { ok: true; previous: number | undefined }
      | { ok: false; reason: 'rate_limited' | 'locked_out' | 'store_unreadable' };
    // First the user's rate-limit slot, atomically: two replicas issuing a code to one user at once
    // cannot both pass the rate limit.
    const claim = await this.change<Claim>('_rate_limits.json', (doc) => {
      if (!doc) return { result: { ok: false, reason: 'store_unreadable' } };
      const limits = this.numbers(doc);
      if ((limits[`_lockout:${platform}`] ?? 0) > now) return { result: { ok: false, reason: 'locked_out' } };
      const last = limits[slot];
      if (last !== undefined && now - last < PAIRING.rateLimitSeconds)
        return { result: { ok: false, reason: 'rate_limited' } };
      return { write: { ...limits, [slot]: now }, result: { ok: true, previous: last } };
    });
    if (!claim.ok) return claim;
    const code = Array.from(
      { length: PAIRING.codeLength },
      () => PAIRING.alphabet[randomInt(PAIRING.alphabet.length)],
    ).join('');
    const salt = randomBytes(16);
    const id = randomBytes(8).toString('hex');
    const entry: PendingEntry = {
      hash: hashCode(salt, code),
      salt: salt.toString('hex'),
      user_id: userId,
      user_name: userName,
      created_at: now,
    };
    const stored = await this.change<GenerateCodeResult>(`${platform}-pending.json`, (doc) => {
      if (!doc) return { result: { ok: false, reason: 'store_unreadable' } };
      const pending = this.livePending(doc);
      if (Object.keys(pending).length >= PAIRING.maxPendingPerPlatform)
        return { result: { ok: false, reason: 'too_many_pending' } };
      return { write: { ...pending, [id]: entry }, result: { ok: true, code } };
    });
    if (!stored.ok) {
      // No code was issued, so the slot is given back (unless a newer claim took it meanwhile).
      await this.documents.update('_rate_limits.json', (doc) => {
        if (!doc || doc[slot] !== now) return undefined;
        const limits = this.numbers(doc);
        if (claim.previous === undefined) delete limits[slot];
        else limits[slot] = claim.previous;
        return limits;
      });
    }
    return stored;
  }

  async approveCode(platform: string, input: string): Promise<ApproveResult> {
    const approvedName = `${platform}-approved.json`;
    const pendingName = `${platform}-pending.json`;
    const [limits, approvedNow] = await Promise.all([this.limits(), this.documents.read(approvedName)]);
    if (!limits || !approvedNow) return { ok: false, reason: 'store_unreadable' };
    const now = this.now();
    if ((limits[`_lockout:${platform}`] ?? 0) > now) return { ok: false, reason: 'locked_out' };
    const code = input.trim().toUpperCase();
    type Taken =
      | { ok: true; id: string; entry: PendingEntry }
      | { ok: false; reason: 'invalid_code' | 'store_unreadable' };
    // The code is consumed atomically: of two approvals of one code, only one finds it.
    const taken = await this.change<Taken>(pendingName, (doc) => {
      if (!doc) return { result: { ok: false, reason: 'store_unreadable' } };
      const pending = this.livePending(doc);
      let match: string | undefined;
      // Compare against every entry, without stopping early, so timing says nothing about which one matched.
      for (const [id, entry] of Object.entries(pending)) {
        const expected = Buffer.from(entry.hash, 'hex');
        const actual = Buffer.from(hashCode(Buffer.from(entry.salt, 'hex'), code), 'hex');
        if (timingSafeEqual(expected, actual) && match === undefined) match = id;
      }
      if (match === undefined) return { result: { ok: false, reason: 'invalid_code' } };
      const entry = pending[match]!;
      delete pending[match];
      return { write: pending, result: { ok: true, id: match, entry } };
    });
    if (!taken.ok) {
      if (taken.reason === 'invalid_code')
        await this.documents.update('_rate_limits.json', (doc) => {
          if (!doc) return undefined;
          const next = this.numbers(doc);
          const failures = (next[`_failures:${platform}`] ?? 0) + 1;
          next[`_failures:${platform}`] = failures;
          if (failures >= PAIRING.maxFailedAttempts) {
            next[`_lockout:${platform}`] = now + PAIRING.lockoutSeconds;
            next[`_failures:${platform}`] = 0;
          }
          return next;
        });
      return { ok: false, reason: taken.reason };
    }
    const { entry } = taken;
    const approved = await this.change<boolean>(approvedName, (doc) =>
      doc
        ? {
            write: {
              ...doc,
              [entry.user_id]: { user_name: entry.user_name, approved_at: now } satisfies ApprovedEntry,
            },
            result: true,
          }
        : { result: false },
    );
    if (!approved) {
      // The approved document became unusable after the check above: the code goes back, still valid.
      await this.documents.update(pendingName, (doc) => (doc ? { ...doc, [taken.id]: entry } : undefined));
      return { ok: false, reason: 'store_unreadable' };
    }
    await this.documents.update('_rate_limits.json', (doc) => {
      if (!doc) return undefined;
      const next = this.numbers(doc);
      delete next[`_failures:${platform}`];
      return next;
    });
    return { ok: true, userId: entry.user_id, userName: entry.user_name };
  }

  async isApproved(platform: string, userId: string): Promise<boolean> {
    const approved = await this.documents.read(`${platform}-approved.json`);
    return approved !== undefined && Object.hasOwn(approved, userId);
  }

  async listApproved(
    platform: string,
  ): Promise<Array<{ userId: string; userName: string; approvedAt: number }>> {
    const approved = (await this.documents.read(`${platform}-approved.json`)) ?? {};
    return Object.entries(approved).map(([userId, v]) => {
      const e = v as Partial<ApprovedEntry>;
      return { userId, userName: e.user_name ?? '', approvedAt: e.approved_at ?? 0 };
    });
  }

  async listPending(platforms: readonly string[]): Promise<PendingView[]> {
    const all = await Promise.all(
      platforms.map(async (platform) =>
        Object.entries((await this.pending(platform)) ?? {}).map(([requestId, e]) => ({
          platform,
          requestId,
          hashPrefix: e.hash.slice(0, 8),
          userId: e.user_id,
          userName: e.user_name,
          createdAt: e.created_at,
          expiresAt: e.created_at + PAIRING.codeTtlSeconds,
        })),
      ),
    );
    return all.flat();
  }

  /** Platforms that have pairing documents, where the backend can list them. */
  async platformsStored(): Promise<string[]> {
    const names = await this.documents.names();
    const platforms = names
      .map((f) => /^(.+)-(pending|approved)\.json$/.exec(f)?.[1])
      .filter((p): p is string => Boolean(p));
    return [...new Set(platforms)].sort();
  }

  async revoke(platform: string, userId: string): Promise<boolean> {
    return this.change<boolean>(`${platform}-approved.json`, (doc) => {
      if (!doc || !Object.hasOwn(doc, userId)) return { result: false };
      const next = { ...doc };
      delete next[userId];
      return { write: next, result: true };
    });
  }

  /** Returns how many were cleared, or undefined when the document is unreadable (it is then left untouched). */
  async clearPending(platform: string): Promise<number | undefined> {
    return this.change<number | undefined>(`${platform}-pending.json`, (doc) =>
      doc ? { write: {}, result: Object.keys(this.livePending(doc)).length } : { result: undefined },
    );
  }
}
