import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../logger.js';
import { makeTempDir } from './loopback-fixture.js';
import { DEFAULT_MEDIA_MAX_AGE_MS, MediaCache } from './media-cache.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;

beforeEach(async () => {
  temp = await makeTempDir();
});

afterEach(async () => {
  await temp.remove();
});

const HOUR = 60 * 60 * 1000;

describe('MediaCache paths', () => {
  it('creates its directory with mode 0700 on first use, not before', async () => {
    const dir = join(temp.dir, 'nested', 'cache');
    const cache = new MediaCache({ dir });
    await expect(stat(dir)).rejects.toThrow();
    cache.pathFor('a.txt');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('gives unique paths that keep the sanitised name', () => {
    const cache = new MediaCache({ dir: temp.dir });
    const a = cache.pathFor('photo.jpg');
    const b = cache.pathFor('photo.jpg');
    expect(a).not.toBe(b);
    expect(basename(a)).toMatch(/^[0-9a-f]{12}_photo\.jpg$/);
  });

  it.each([
    '../../etc/passwd',
    '/etc/shadow',
    '..',
    '',
    'a\u0000b',
    '\u0001\u0002',
    'CON',
    'x'.repeat(1000),
    '..\\..\\win.ini',
    '.ssh/authorized_keys',
  ])('never leaves the directory for %j', (name) => {
    const cache = new MediaCache({ dir: temp.dir });
    const path = cache.pathFor(name);
    expect(dirname(path)).toBe(cache.dir);
    expect(basename(path).startsWith('.')).toBe(false);
    expect(Buffer.byteLength(basename(path))).toBeLessThanOrEqual(255);
    expect(basename(path)).not.toMatch(/[/\\]/);
    expect(Array.from(basename(path)).some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });

  it('writeBuffer stores the bytes privately and never overwrites', async () => {
    const cache = new MediaCache({ dir: join(temp.dir, 'c') });
    const path = await cache.writeBuffer('note.txt', Buffer.from('hi'));
    expect(await readFile(path, 'utf8')).toBe('hi');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await cache.writeBuffer('note.txt', Buffer.from('other'));
    expect(again).not.toBe(path);
    expect(await readFile(path, 'utf8')).toBe('hi');
  });
});

describe('MediaCache sweep', () => {
  it('defaults to a 24 h age limit', () => {
    expect(new MediaCache({ dir: temp.dir }).maxAgeMs).toBe(DEFAULT_MEDIA_MAX_AGE_MS);
    expect(DEFAULT_MEDIA_MAX_AGE_MS).toBe(24 * HOUR);
  });

  it('removes only files older than maxAgeMs at the given time', async () => {
    const cache = new MediaCache({ dir: temp.dir, maxAgeMs: 24 * HOUR });
    const now = Date.parse('2030-01-02T12:00:00Z');
    const old = await cache.writeBuffer('old.jpg', Buffer.from('o'));
    const fresh = await cache.writeBuffer('fresh.jpg', Buffer.from('f'));
    const edge = await cache.writeBuffer('edge.jpg', Buffer.from('e'));
    const setAge = (path: string, ageMs: number) => utimes(path, (now - ageMs) / 1000, (now - ageMs) / 1000);
    await setAge(old, 25 * HOUR);
    await setAge(fresh, 1 * HOUR);
    await setAge(edge, 24 * HOUR);

    expect(await cache.sweep(now)).toBe(1);
    await expect(stat(old)).rejects.toThrow();
    expect((await stat(fresh)).isFile()).toBe(true);
    expect((await stat(edge)).isFile()).toBe(true);

    // The same files, a day later by the fake clock.
    expect(await cache.sweep(now + 24 * HOUR)).toBe(2);
    expect(await temp.files()).toEqual([]);
  });

  it('leaves directories alone and copes with a missing cache directory', async () => {
    const cache = new MediaCache({ dir: join(temp.dir, 'never-created'), maxAgeMs: 0 });
    expect(await cache.sweep()).toBe(0);
    const withSub = new MediaCache({ dir: temp.dir, maxAgeMs: 0 });
    await mkdir(join(temp.dir, 'sub'));
    await writeFile(join(temp.dir, 'loose.txt'), 'x');
    expect(await withSub.sweep(Date.now() + 1000)).toBe(1);
    expect(await temp.files()).toEqual(['sub']);
  });

  it('startSweeper sweeps on an unref-ed timer until stopped', async () => {
    const logger = createMemoryLogger();
    const cache = new MediaCache({ dir: temp.dir, maxAgeMs: 0, logger });
    const stop = cache.startSweeper(10);
    try {
      await cache.writeBuffer('a.txt', Buffer.from('a'));
      const deadline = Date.now() + 5_000;
      while ((await temp.files()).length > 0) {
        if (Date.now() > deadline) throw new Error('sweeper did not remove the file within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      stop();
    }
    // Stopped: a file written now survives well past several intervals.
    await cache.writeBuffer('b.txt', Buffer.from('b'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await temp.files()).toHaveLength(1);
    expect(() => cache.startSweeper(0)).toThrow(RangeError);
  });
});
