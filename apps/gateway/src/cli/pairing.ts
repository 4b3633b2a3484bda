import { loadConfig } from '../config/load.js';
import { hermesPaths } from '../config/paths.js';
import { kvPairingDocuments, PairingStore } from '../inbound/pairing-store.js';
import { knownPlatforms } from '../platforms/catalog.js';
import { stateUrlOf } from '../state/open-storage.js';

/**
 * The store the gateway uses: with a PostgreSQL state (HERMES_DATABASE_URL or `state.url`), the replicas'
 * shared one; otherwise the files under `$HERMES_HOME/platforms/pairing/`. Runs `fn` and closes what it opened.
 */
async function withStore(fn: (s: PairingStore) => Promise<number>): Promise<number> {
  let url: string | undefined;
  try {
    url = stateUrlOf(loadConfig(process.env));
  } catch {
    // A config that does not load (`hermes doctor` explains it) must not keep the owner from pairing.
    url = process.env.HERMES_DATABASE_URL?.trim() || undefined;
  }
  if (url === undefined) return fn(new PairingStore(hermesPaths(process.env).pairingDir));
  const { openPostgresStorage } = await import('../state/postgres/index.js');
  // No replica id: this command is not a replica, and the kv store it needs works without one.
  const storage = await openPostgresStorage(url, { connectTimeoutMs: 5_000 });
  try {
    return await fn(new PairingStore(kvPairingDocuments(storage.kv, storage.location)));
  } finally {
    await storage.close();
  }
}

/** Platforms with pairing documents (where they can be listed), plus every platform we know, so nothing is missed. */
async function platformsOf(s: PairingStore): Promise<string[]> {
  return [...new Set([...knownPlatforms(), ...(await s.platformsStored())])].sort();
}

export function pairingList(out: (l: string) => void): Promise<number> {
  return withStore(async (s) => {
    const platforms = await platformsOf(s);
    const pending = await s.listPending(platforms);
    out(pending.length ? 'Pending pairing requests:' : 'No pending pairing requests.');
    for (const p of pending) {
      out(
        `  ${p.platform}  user ${p.userId}${p.userName ? ` (${p.userName})` : ''}  request ${p.requestId}  hash ${p.hashPrefix}…  expires ${new Date(p.expiresAt * 1000).toISOString()}`,
      );
    }
    const approved = (
      await Promise.all(
        platforms.map(async (p) => (await s.listApproved(p)).map((a) => ({ platform: p, ...a }))),
      )
    ).flat();
    out(approved.length ? 'Approved users:' : 'No approved users.');
    for (const a of approved)
      out(
        `  ${a.platform}  ${a.userId}${a.userName ? ` (${a.userName})` : ''}  since ${new Date(a.approvedAt * 1000).toISOString()}`,
      );
    return 0;
  });
}

export function pairingApprove(platform: string, code: string, out: (l: string) => void): Promise<number> {
  return withStore(async (s) => {
    const r = await s.approveCode(platform, code);
    if (r.ok) {
      out(`Approved ${r.userName || r.userId} on ${platform}. They can send their message again now.`);
      return 0;
    }
    const why = {
      invalid_code:
        'That code is not valid (wrong, expired, or already used). Ask the user to message the bot again for a fresh code.',
      locked_out: `Approvals for ${platform} are locked for an hour after too many wrong codes.`,
      store_unreadable: `The pairing data cannot be read; check ${s.location}.`,
    }[r.reason];
    out(why);
    return 1;
  });
}

export function pairingRevoke(platform: string, userId: string, out: (l: string) => void): Promise<number> {
  return withStore(async (s) => {
    if (await s.revoke(platform, userId)) {
      out(`Revoked ${userId} on ${platform}.`);
      return 0;
    }
    out(`${userId} is not an approved user on ${platform}.`);
    return 1;
  });
}

export function pairingClearPending(platform: string | undefined, out: (l: string) => void): Promise<number> {
  return withStore(async (s) => {
    const platforms = platform ? [platform] : await platformsOf(s);
    let total = 0;
    for (const p of platforms) {
      const n = await s.clearPending(p);
      if (n === undefined) out(`${p}: pending requests unreadable, left untouched.`);
      else total += n;
    }
    out(`Cleared ${total} pending request(s).`);
    return 0;
  });
}
