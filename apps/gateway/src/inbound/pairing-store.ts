import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { createCachedJsonReader, writeJsonObject } from '../state/json-file.js';

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

/**
 * DM pairing codes, stored as the Python gateway stores them under `$HERMES_HOME/platforms/pairing/`.
 * Every operation re-reads the files, so `hermes pairing approve` in another process takes effect on the
 * running gateway without a restart.
 */
export class PairingStore {
  private readonly read = createCachedJsonReader();

  constructor(
    readonly dir: string,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  private file(name: string): string {
    return join(this.dir, name);
  }

  private load(name: string): Record<string, unknown> | undefined {
    const r = this.read(this.file(name));
    return r.ok ? r.value : undefined;
  }

  private pending(platform: string): Record<string, PendingEntry> | undefined {
    const raw = this.load(`${platform}-pending.json`);
    if (!raw) return undefined;
    const out: Record<string, PendingEntry> = {};
    const now = this.now();
    // Malformed, legacy plaintext-keyed and expired entries are dropped here and pruned on the next write.
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

  private limits(): Record<string, number> | undefined {
    const raw = this.load('_rate_limits.json');
    if (!raw) return undefined;
    return Object.fromEntries(
      Object.entries(raw).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
  }

  isLockedOut(platform: string): boolean {
    const until = this.limits()?.[`_lockout:${platform}`];
    return until !== undefined && until > this.now();
  }

  generateCode(platform: string, userId: string, userName = ''): GenerateCodeResult {
    const pending = this.pending(platform);
    const limits = this.limits();
    if (!pending || !limits) return { ok: false, reason: 'store_unreadable' };
    const now = this.now();
    if ((limits[`_lockout:${platform}`] ?? 0) > now) return { ok: false, reason: 'locked_out' };
    const last = limits[`${platform}:${userId}`];
    if (last !== undefined && now - last < PAIRING.rateLimitSeconds)
      return { ok: false, reason: 'rate_limited' };
    if (Object.keys(pending).length >= PAIRING.maxPendingPerPlatform)
      return { ok: false, reason: 'too_many_pending' };
    let code = '';
    for (let i = 0; i < PAIRING.codeLength; i++) code += PAIRING.alphabet[randomInt(PAIRING.alphabet.length)];
    const salt = randomBytes(16);
    pending[randomBytes(8).toString('hex')] = {
      hash: hashCode(salt, code),
      salt: salt.toString('hex'),
      user_id: userId,
      user_name: userName,
      created_at: now,
    };
    limits[`${platform}:${userId}`] = now;
    writeJsonObject(this.file(`${platform}-pending.json`), pending);
    writeJsonObject(this.file('_rate_limits.json'), limits);
    return { ok: true, code };
  }

  approveCode(platform: string, input: string): ApproveResult {
    const pending = this.pending(platform);
    const limits = this.limits();
    const approved = this.load(`${platform}-approved.json`);
    if (!pending || !limits || !approved) return { ok: false, reason: 'store_unreadable' };
    const now = this.now();
    if ((limits[`_lockout:${platform}`] ?? 0) > now) return { ok: false, reason: 'locked_out' };
    const code = input.trim().toUpperCase();
    let match: string | undefined;
    // Compare against every entry, without stopping early, so timing says nothing about which one matched.
    for (const [id, entry] of Object.entries(pending)) {
      const expected = Buffer.from(entry.hash, 'hex');
      const actual = Buffer.from(hashCode(Buffer.from(entry.salt, 'hex'), code), 'hex');
      if (timingSafeEqual(expected, actual) && match === undefined) match = id;
    }
    if (match === undefined) {
      const failures = (limits[`_failures:${platform}`] ?? 0) + 1;
      limits[`_failures:${platform}`] = failures;
      if (failures >= PAIRING.maxFailedAttempts) {
        limits[`_lockout:${platform}`] = now + PAIRING.lockoutSeconds;
        limits[`_failures:${platform}`] = 0;
      }
      writeJsonObject(this.file('_rate_limits.json'), limits);
      return { ok: false, reason: 'invalid_code' };
    }
    const entry = pending[match]!;
    delete pending[match];
    approved[entry.user_id] = { user_name: entry.user_name, approved_at: now } satisfies ApprovedEntry;
    delete limits[`_failures:${platform}`];
    writeJsonObject(this.file(`${platform}-pending.json`), pending);
    writeJsonObject(this.file(`${platform}-approved.json`), approved);
    writeJsonObject(this.file('_rate_limits.json'), limits);
    return { ok: true, userId: entry.user_id, userName: entry.user_name };
  }

  isApproved(platform: string, userId: string): boolean {
    const approved = this.load(`${platform}-approved.json`);
    return approved !== undefined && Object.hasOwn(approved, userId);
  }

  listApproved(platform: string): Array<{ userId: string; userName: string; approvedAt: number }> {
    const approved = this.load(`${platform}-approved.json`) ?? {};
    return Object.entries(approved).map(([userId, v]) => {
      const e = v as Partial<ApprovedEntry>;
      return { userId, userName: e.user_name ?? '', approvedAt: e.approved_at ?? 0 };
    });
  }

  listPending(platforms: readonly string[]): PendingView[] {
    return platforms.flatMap((platform) =>
      Object.entries(this.pending(platform) ?? {}).map(([requestId, e]) => ({
        platform,
        requestId,
        hashPrefix: e.hash.slice(0, 8),
        userId: e.user_id,
        userName: e.user_name,
        createdAt: e.created_at,
        expiresAt: e.created_at + PAIRING.codeTtlSeconds,
      })),
    );
  }

  revoke(platform: string, userId: string): boolean {
    const approved = this.load(`${platform}-approved.json`);
    if (!approved || !Object.hasOwn(approved, userId)) return false;
    delete approved[userId];
    writeJsonObject(this.file(`${platform}-approved.json`), approved);
    return true;
  }

  /** Returns how many were cleared, or undefined when the file is unreadable (it is then left untouched). */
  clearPending(platform: string): number | undefined {
    const pending = this.pending(platform);
    if (!pending) return undefined;
    writeJsonObject(this.file(`${platform}-pending.json`), {});
    return Object.keys(pending).length;
  }
}
