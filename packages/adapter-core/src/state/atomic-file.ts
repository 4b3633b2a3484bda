import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

// The temp name carries the pid so two processes pointed at the same state folder never write into
// each other's half-written file; the rename then makes the last complete write win.
const tempPath = (path: string): string => `${path}.${process.pid}.tmp`;

/**
 * Writes `data` so that a reader, or a crash, only ever sees the old file or the new one whole: temp
 * file + rename. Owner-only permissions (folder 0700, file 0600) because adapter state holds tokens,
 * device keys and who talked to the bot.
 */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = tempPath(path);
  writeFileSync(temp, data, { mode: 0o600 });
  renameSync(temp, path);
}

/** The same as {@link writeFileAtomic}, off the event loop, for state saved on a timer. */
export async function writeFileAtomicAsync(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = tempPath(path);
  await writeFile(temp, data, { mode: 0o600 });
  await rename(temp, path);
}

/** The file's text, or undefined when it does not exist (any other read error is thrown). */
export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Moves an unreadable state file aside, never deleting it (an operator may want it back), and returns
 * where it went, for the log line that reports it.
 */
export function setFileAside(path: string): string {
  const aside = `${path}.corrupt-${Date.now()}`;
  renameSync(path, aside);
  return aside;
}
