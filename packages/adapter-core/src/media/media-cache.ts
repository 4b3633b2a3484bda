import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { lstat, readdir, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { MediaCacheLike } from '../contract.js';
import type { Logger } from '../logger.js';
import { sanitizeFilename } from './filename.js';

/** Files older than this are removed by `sweep()` unless told otherwise: a day, as the Python gateway does. */
export const DEFAULT_MEDIA_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface MediaCacheOptions {
  /** Directory of the cache; created with mode 0700 on first use. */
  dir: string;
  /** Age after which `sweep()` deletes a file (by modification time). Default 24 h. */
  maxAgeMs?: number;
  /** Where a failed background sweep is reported. Nothing is logged when absent. */
  logger?: Logger;
}

/**
 * A flat directory of downloaded media. Every name handed out is unique (random prefix) and sanitised,
 * so two downloads never clash and no name can leave the directory. Files are aged out by `sweep()`.
 */
export class MediaCache implements MediaCacheLike {
  readonly dir: string;
  readonly maxAgeMs: number;
  private readonly logger: Logger | undefined;
  private dirReady = false;

  constructor(options: MediaCacheOptions) {
    this.dir = resolve(options.dir);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MEDIA_MAX_AGE_MS;
    this.logger = options.logger;
  }

  /**
   * A fresh path inside the cache for a file called `name` (sanitised here again, so any string is
   * safe). The directory exists when this returns.
   */
  pathFor(name: string): string {
    this.ensureDir();
    const safe = sanitizeFilename(name);
    const path = join(this.dir, `${randomBytes(6).toString('hex')}_${safe}`);
    // Sanitising already guarantees this; the check keeps the promise even if that code changes.
    if (dirname(path) !== this.dir || basename(path).startsWith('.')) {
      throw new Error(`media cache refused a file name that would leave ${this.dir}`);
    }
    return path;
  }

  /** Writes the bytes to a fresh path (never overwriting, mode 0600) and returns the path. */
  async writeBuffer(name: string, data: Buffer): Promise<string> {
    const path = this.pathFor(name);
    await writeFile(path, data, { flag: 'wx', mode: 0o600 });
    return path;
  }

  /** Deletes files last modified more than `maxAgeMs` before `now`; resolves to how many went. */
  async sweep(now: number = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        const info = await lstat(path);
        // Only plain files and links: a directory someone put here is not ours to remove.
        if (info.isDirectory() || now - info.mtimeMs <= this.maxAgeMs) continue;
        await unlink(path);
        removed++;
      } catch (error) {
        // Another sweeper or the owner deleted it first; that is the outcome we wanted.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return removed;
  }

  /**
   * Sweeps every `intervalMs` on a timer that does not keep the process alive. Returns the function
   * that stops it. A failed sweep is logged (when a logger was given) and the next one still runs.
   */
  startSweeper(intervalMs: number): () => void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError(`media cache sweep interval must be a positive number of ms, got ${intervalMs}`);
    }
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.sweep()
        .catch((error: unknown) => {
          this.logger?.warn('media cache sweep failed', { dir: this.dir, error: String(error) });
        })
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private ensureDir(): void {
    if (this.dirReady) return;
    // Synchronous once: pathFor() is synchronous in the contract and adapters write to its result directly.
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.dirReady = true;
  }
}
