import { readdirSync } from 'node:fs';
import { hermesPaths } from '../config/paths.js';
import { PairingStore } from '../inbound/pairing-store.js';
import { knownPlatforms } from '../platforms/catalog.js';

function store(): PairingStore {
  return new PairingStore(hermesPaths(process.env).pairingDir);
}

/** Platforms with pairing files, plus every platform we know, so nothing is missed. */
function platformsWithFiles(dir: string): string[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    files = [];
  }
  const fromFiles = files
    .map((f) => /^(.+)-(pending|approved)\.json$/.exec(f)?.[1])
    .filter((p): p is string => Boolean(p));
  return [...new Set([...knownPlatforms(), ...fromFiles])].sort();
}

export function pairingList(out: (l: string) => void): number {
  const s = store();
  const platforms = platformsWithFiles(s.dir);
  const pending = s.listPending(platforms);
  out(pending.length ? 'Pending pairing requests:' : 'No pending pairing requests.');
  for (const p of pending) {
    out(
      `  ${p.platform}  user ${p.userId}${p.userName ? ` (${p.userName})` : ''}  request ${p.requestId}  hash ${p.hashPrefix}…  expires ${new Date(p.expiresAt * 1000).toISOString()}`,
    );
  }
  const approved = platforms.flatMap((p) => s.listApproved(p).map((a) => ({ platform: p, ...a })));
  out(approved.length ? 'Approved users:' : 'No approved users.');
  for (const a of approved)
    out(
      `  ${a.platform}  ${a.userId}${a.userName ? ` (${a.userName})` : ''}  since ${new Date(a.approvedAt * 1000).toISOString()}`,
    );
  return 0;
}

export function pairingApprove(platform: string, code: string, out: (l: string) => void): number {
  const r = store().approveCode(platform, code);
  if (r.ok) {
    out(`Approved ${r.userName || r.userId} on ${platform}. They can send their message again now.`);
    return 0;
  }
  const why = {
    invalid_code:
      'That code is not valid (wrong, expired, or already used). Ask the user to message the bot again for a fresh code.',
    locked_out: `Approvals for ${platform} are locked for an hour after too many wrong codes.`,
    store_unreadable:
      'The pairing files cannot be read; check the files under $HERMES_HOME/platforms/pairing/.',
  }[r.reason];
  out(why);
  return 1;
}

export function pairingRevoke(platform: string, userId: string, out: (l: string) => void): number {
  if (store().revoke(platform, userId)) {
    out(`Revoked ${userId} on ${platform}.`);
    return 0;
  }
  out(`${userId} is not an approved user on ${platform}.`);
  return 1;
}

export function pairingClearPending(platform: string | undefined, out: (l: string) => void): number {
  const s = store();
  const platforms = platform ? [platform] : platformsWithFiles(s.dir);
  let total = 0;
  for (const p of platforms) {
    const n = s.clearPending(p);
    if (n === undefined) out(`${p}: pending file unreadable, left untouched.`);
    else total += n;
  }
  out(`Cleared ${total} pending request(s).`);
  return 0;
}
