import { execFile } from 'node:child_process';

export type NpmRun =
  | { ok: true; stdout: string }
  | { ok: false; code: 'npm_missing' | 'npm_timeout' | 'npm_failed'; reason: string };

/** Runs `npm <args>` (no shell), bounded; never rejects. */
export function runNpm(args: readonly string[], timeoutMs: number, npm = 'npm'): Promise<NpmRun> {
  return new Promise((resolve) => {
    execFile(
      npm,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        const e = error as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT')
          return resolve({ ok: false, code: 'npm_missing', reason: 'npm is not installed (not on PATH)' });
        if (e.killed)
          return resolve({
            ok: false,
            code: 'npm_timeout',
            reason: `npm gave no answer within ${Math.round(timeoutMs / 1000)} s (offline, or the registry is slow)`,
          });
        // npm's own summary line (`npm error code E404`, `… ENOTFOUND …`) says why; never the whole output.
        const line =
          String(stderr)
            .split('\n')
            .map((l) => l.trim())
            .find((l) => /\b(E[A-Z0-9]{2,}|ERR!|error)\b/.test(l)) ?? `exit code ${String(e.code)}`;
        return resolve({ ok: false, code: 'npm_failed', reason: line.slice(0, 200) });
      },
    );
  });
}

/** The newest published version, or why it could not be looked up. */
export async function latestPublished(
  name: string,
  timeoutMs: number,
  npm = 'npm',
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const r = await runNpm(['view', name, 'version'], timeoutMs, npm);
  if (!r.ok) return { ok: false, reason: r.reason };
  const version = r.stdout.trim().split('\n').at(-1)?.trim().replace(/^'|'$/g, '') ?? '';
  if (!/^\d+\.\d+\.\d+/.test(version))
    return { ok: false, reason: `npm view answered "${version.slice(0, 40)}", not a version` };
  return { ok: true, version };
}

/** -1, 0 or 1; `1.2.3-beta` sorts before `1.2.3`. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split('-', 2);
    return { nums: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
