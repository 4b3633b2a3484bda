import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where tooling/ci/install-postgres.sh writes why it could not install PostgreSQL (read on each call). */
export function postgresStatusFile(): string {
  return process.env['HERMES_POSTGRES_STATUS'] ?? '/var/cache/hermes-ci/postgres.status';
}

export type PostgresAvailability =
  | { readonly ok: true; readonly binDir: string; readonly runAs: RunAs | undefined }
  | { readonly ok: false; readonly reason: string };

/** How to drop root: PostgreSQL refuses to run as root. */
export interface RunAs {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  /** Command prefix that runs the rest of the argv as that user. */
  readonly prefix: readonly string[];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian's server binaries (`/usr/lib/postgresql/<N>/bin`), newest major first; HERMES_POSTGRES_BIN wins. */
export function findPostgresBinDir(): string | undefined {
  const fromEnv = process.env['HERMES_POSTGRES_BIN'];
  const candidates: string[] = fromEnv ? [fromEnv] : [];
  try {
    const majors = readdirSync('/usr/lib/postgresql')
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((m) => join('/usr/lib/postgresql', m, 'bin')));
  } catch {
    // No Debian layout here.
  }
  return candidates.find((dir) => executable(join(dir, 'initdb')) && executable(join(dir, 'postgres')));
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name && uid !== undefined && gid !== undefined)
        return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // Fall through to getent (NSS users).
  }
  try {
    const [, , uid, gid] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
    if (uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  } catch {
    // Unknown user.
  }
  return undefined;
}

function rootRunAs(): RunAs | string {
  const user = process.env['HERMES_POSTGRES_USER'] ?? 'postgres';
  const ids = lookupUser(user);
  if (ids === undefined) {
    return `running as root and there is no "${user}" system user to run PostgreSQL as (Debian's postgresql package creates it: run tooling/ci/install-postgres.sh)`;
  }
  // setpriv execs in place (the child pid is the postmaster's); runuser keeps a parent process around.
  if (executable('/usr/bin/setpriv')) {
    return {
      user,
      ...ids,
      prefix: ['/usr/bin/setpriv', `--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', '--'],
    };
  }
  for (const runuser of ['/usr/sbin/runuser', '/sbin/runuser']) {
    if (executable(runuser)) return { user, ...ids, prefix: [runuser, '-u', user, '--'] };
  }
  return 'running as root and neither setpriv nor runuser is available to drop to the postgres user';
}

/** Whether a throwaway PostgreSQL can be started here, and if not why (shown in the skipped suite's name). */
export function postgresAvailability(): PostgresAvailability {
  try {
    const status = readFileSync(postgresStatusFile(), 'utf8').trim();
    if (status.startsWith('unavailable:')) return { ok: false, reason: status };
  } catch {
    // No status file: the install script was not run here, judge from the binaries.
  }
  const binDir = findPostgresBinDir();
  if (binDir === undefined) {
    return {
      ok: false,
      reason:
        'PostgreSQL server binaries not found under /usr/lib/postgresql/<N>/bin (run tooling/ci/install-postgres.sh, or set HERMES_POSTGRES_BIN)',
    };
  }
  if (process.getuid?.() !== 0) return { ok: true, binDir, runAs: undefined };
  const runAs = rootRunAs();
  if (typeof runAs === 'string') return { ok: false, reason: runAs };
  return { ok: true, binDir, runAs };
}
