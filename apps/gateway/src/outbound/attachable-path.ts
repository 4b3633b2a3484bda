import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

/**
 * Which local files a reply may attach. A model reply is untrusted text (it can echo a prompt injection),
 * so `MEDIA:/root/.ssh/id_rsa` must not send the key: only regular files under an allowed root, never under a
 * denied one (the gateway's own home with `.env` and `state.db`), never a hidden file or folder, judged on
 * the real path so a symlink cannot point outside.
 */
export interface AttachPolicy {
  allowedRoots: readonly string[];
  deniedRoots: readonly string[];
}

export type AttachVerdict =
  | { ok: true; path: string }
  | { ok: false; reason: 'missing' | 'not_a_file' | 'outside_allowed' | 'denied' | 'hidden' };

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export function judgeAttachment(path: string, policy: AttachPolicy): AttachVerdict {
  if (!isAbsolute(path)) return { ok: false, reason: 'outside_allowed' };
  const resolved = real(path);
  if (!resolved) return { ok: false, reason: 'missing' };
  try {
    if (!statSync(resolved).isFile()) return { ok: false, reason: 'not_a_file' };
  } catch {
    return { ok: false, reason: 'missing' };
  }
  const roots = policy.allowedRoots.map((r) => real(r)).filter((r): r is string => r !== undefined);
  // The most specific allowed root decides: the media cache wins over a work dir that contains it.
  const root = roots.filter((r) => inside(r, resolved)).sort((a, b) => b.length - a.length)[0];
  if (!root) return { ok: false, reason: 'outside_allowed' };
  const denied = policy.deniedRoots.map((r) => real(r) ?? r);
  // A denied folder wins unless the allowed root lies strictly inside it (the media cache in $HERMES_HOME).
  const strictlyInside = (d: string) => root !== d && inside(d, root);
  if (denied.some((d) => inside(d, resolved) && !strictlyInside(d))) return { ok: false, reason: 'denied' };
  const below = relative(root, resolved).split(sep);
  if (below.some((part) => part.startsWith('.'))) return { ok: false, reason: 'hidden' };
  return { ok: true, path: resolved };
}

/** System folders no reply attaches from, even when the gateway runs with `/` as its working directory. */
const SYSTEM_ROOTS = ['/etc', '/proc', '/sys', '/dev', '/boot', '/run', '/var/lib', '/var/run'];

/**
 * The gateway's policy: the media cache, the agent's working directory and `HERMES_MEDIA_ROOTS` (a
 * path-list like PATH) are allowed; `$HERMES_HOME` (secrets, state) and system folders are not.
 */
export function gatewayAttachPolicy(o: {
  home: string;
  cacheDir: string;
  workDir: string;
  extraRoots: string | undefined;
}): AttachPolicy {
  const extra = (o.extraRoots ?? '')
    .split(':')
    .map((r) => r.trim())
    .filter((r) => r !== '' && isAbsolute(r));
  return { allowedRoots: [o.cacheDir, o.workDir, ...extra], deniedRoots: [o.home, ...SYSTEM_ROOTS] };
}
