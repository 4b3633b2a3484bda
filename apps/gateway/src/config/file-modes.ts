import { statSync } from 'node:fs';
import type { HermesPaths } from './paths.js';

/** A file holding secrets or transcripts that users other than the owner can read or write. */
export interface LooseFileMode {
  /** What the file is, for the message (".env", "state.db", …). */
  name: string;
  path: string;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

export function describeLooseMode(f: LooseFileMode): string {
  return `${f.name} at ${f.path} is readable by other users (mode ${octalMode(f.mode)}): run chmod 600 ${f.path}`;
}

/**
 * The owner-only files of `$HERMES_HOME` (.env with the credentials, state.db with the transcripts, the log)
 * that are open to group or others. Files that do not exist are skipped. POSIX permission bits mean nothing
 * on Windows, so there the list is always empty.
 */
export function looseFileModes(
  paths: HermesPaths,
  which: ReadonlyArray<'env' | 'stateDb' | 'log'> = ['env', 'stateDb', 'log'],
): LooseFileMode[] {
  if (process.platform === 'win32') return [];
  const files = {
    env: { name: '.env', path: paths.env },
    stateDb: { name: 'state.db', path: paths.stateDb },
    log: { name: 'gateway.log', path: paths.logFile },
  };
  const out: LooseFileMode[] = [];
  for (const key of which) {
    const { name, path } = files[key];
    try {
      const mode = statSync(path).mode & 0o777;
      if ((mode & 0o077) !== 0) out.push({ name, path, mode });
    } catch {
      // Missing (or unreadable, which other checks report): nothing to tighten.
    }
  }
  return out;
}
