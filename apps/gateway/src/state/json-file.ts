import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a JSON object file. A corrupt file is reported (not silently replaced): the caller decides, and
 * writers refuse to overwrite it, so an operator's data is never clobbered by a parse error.
 */
export function readJsonObject(
  path: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (!existsSync(path)) return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { ok: false, error: `${path} is not a JSON object` };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (err) {
    return { ok: false, error: `${path} cannot be parsed: ${(err as Error).message}` };
  }
}

/** Atomic write (temp file + rename), mode 0600: these files hold who may talk to the agent. */
export function writeJsonObject(path: string, value: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

type ReadResult = ReturnType<typeof readJsonObject>;

/**
 * readJsonObject with a cache keyed by the file's identity (inode, size, mtime in ns): the access check runs
 * for every message, but the files change only when someone pairs. A write by another process (the
 * `hermes pairing` CLI) replaces the file by rename, which changes the inode, so it is seen at once.
 */
export function createCachedJsonReader(): (path: string) => ReadResult {
  const cache = new Map<string, { key: string; result: ReadResult }>();
  return (path) => {
    let key = 'missing';
    try {
      const st = statSync(path, { bigint: true });
      key = `${st.ino}:${st.size}:${st.mtimeNs}`;
    } catch {
      key = 'missing';
    }
    const hit = cache.get(path);
    if (hit && hit.key === key)
      return hit.result.ok ? { ok: true, value: structuredClone(hit.result.value) } : hit.result;
    const result = readJsonObject(path);
    cache.set(path, { key, result });
    return result.ok ? { ok: true, value: structuredClone(result.value) } : result;
  };
}
