import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileIfExists, setFileAside, writeFileAtomic, writeFileAtomicAsync } from './atomic-file.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'core-state-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['writeFileAtomic', async (path: string, data: string) => writeFileAtomic(path, data)],
  ['writeFileAtomicAsync', writeFileAtomicAsync],
])('%s', (_name, write) => {
  it('creates the missing folder 0700 and the file 0600, leaving no temp file behind', async () => {
    const dir = join(tempDir(), 'nested', 'state');
    const path = join(dir, 'state.json');
    await write(path, '{"offset":1}');
    expect(readFileSync(path, 'utf8')).toBe('{"offset":1}');
    if (process.platform !== 'win32') {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('replaces an existing file whole, and narrows its permissions to 0600', async () => {
    const path = join(tempDir(), 'state.json');
    writeFileSync(path, 'old contents that are longer than the new ones', { mode: 0o644 });
    await write(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('readFileIfExists', () => {
  it('reads the text, and says undefined for a missing file', () => {
    const path = join(tempDir(), 'a.json');
    expect(readFileIfExists(path)).toBeUndefined();
    writeFileSync(path, 'x');
    expect(readFileIfExists(path)).toBe('x');
  });

  it('throws other errors (a folder where the file should be) instead of treating them as missing', () => {
    expect(() => readFileIfExists(tempDir())).toThrow(/EISDIR/);
  });
});

describe('setFileAside', () => {
  it('moves the file to a .corrupt-<time> name beside it and keeps its contents', () => {
    const path = join(tempDir(), 'state.json');
    writeFileSync(path, 'not json');
    const aside = setFileAside(path);
    expect(aside).toMatch(/state\.json\.corrupt-\d+$/);
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(aside, 'utf8')).toBe('not json');
  });
});
