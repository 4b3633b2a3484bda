import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMemoryLogger, silentLogger } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { UpdateStateFile } from './update-state.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const source = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'update-state.ts')).href;

/** Small, so kills also land in the writes of the file afresh (temp + rename). */
const REWRITE_AT_BYTES = 4 * 1024 * 1024;

/** Held updates from none to 1.5 MB, so records span many pages. The same function runs in the child. */
const HELD_AT = `(n) => {
  const size = [0, 3000, 300000, 1500000][n % 4];
  if (size === 0) return [];
  const digits = String(n);
  return [{ update_id: n - 1, message: { text: digits.repeat(Math.floor(size / digits.length)) } }];
}`;
const heldAt = new Function(`return ${HELD_AT}`)() as (n: number) => unknown[];

/**
 * The child saves as the poller does (saveSoon, then "confirms" the offset, as the next getUpdates would)
 * until it is killed. The confirmation is a synchronous write to the pipe (process.stdout may queue it
 * in memory when the pipe is busy, and a kill would then lose confirmations that were made). Node strips
 * the TypeScript types; the hook maps `./x.js` to `./x.ts`.
 */
const CHILD = `
import { writeSync } from 'node:fs';
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function resolve(s, c, next) { try { return await next(s, c); } catch (e) {' +
  ' if (s.startsWith(".") && s.endsWith(".js")) return next(s.slice(0, -3) + ".ts", c); throw e; } }'));
const { UpdateStateFile } = await import(process.argv[2]);
const logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return logger; } };
const file = new UpdateStateFile(process.argv[3], logger, { rewriteAtBytes: ${REWRITE_AT_BYTES} });
const heldAt = ${HELD_AT};
let offset = file.load().offset;
for (;;) {
  offset += 1;
  const saved = await file.saveSoon(() => ({ offset, held: heldAt(offset), seen: [] }));
  writeSync(1, saved.offset + '\\n');
}
`;

/** Runs the child until it has confirmed `atLeast` saves, kills it `extraMs` later, returns the last confirmed. */
function runAndKill(script: string, path: string, atLeast: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, source, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killing = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child confirmed too few saves in 15 s: ${err.slice(0, 500)}`));
    }, 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!killing && out.split('\n').length > atLeast) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('close', (_code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') {
        reject(new Error(`the child ended by itself: ${err.slice(0, 500)}`));
        return;
      }
      const confirmed = out.trim().split('\n').map(Number);
      resolve(confirmed.at(-1) ?? 0);
    });
  });
}

describe('UpdateStateFile after kill -9', () => {
  it('a restart resumes at the last confirmed offset (or the save after it), with its own held updates', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-telegram-kill-'));
    const script = join(dir, 'saver.mjs');
    writeFileSync(script, CHILD);
    const path = join(dir, 'updates-1.json');
    let previous = 0;
    // Each round kills at another moment of the save loop; the file is written afresh every few saves.
    for (let round = 0; round < 16; round++) {
      const confirmed = await runAndKill(script, path, 6, (round * 7) % 23);
      const logger = createMemoryLogger();
      const state = new UpdateStateFile(path, logger).load();
      expect(logger.find('error'), `round ${round}`).toHaveLength(0);
      expect(confirmed, `round ${round}: the child went on from the state it loaded`).toBeGreaterThan(
        previous,
      );
      expect([confirmed, confirmed + 1], `round ${round}`).toContain(state.offset);
      expect(state.held, `round ${round}: held updates belong to that same save`).toEqual(
        heldAt(state.offset),
      );
      previous = state.offset;
    }
  }, 120_000);

  it('a save cut short at any byte (what a kill inside the write leaves) loads as the save before it', () => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-telegram-torn-'));
    const path = join(dir, 'updates-1.json');
    const file = new UpdateStateFile(path, silentLogger);
    file.save({ offset: 5, held: heldAt(5), seen: [] });
    const before = readFileSync(path);
    file.save({ offset: 8, held: [{ update_id: 5, message: { text: 'é✓ not ascii' } }], seen: [] });
    const whole = readFileSync(path);
    // The second save is written over the closing brace (two bytes); bytes past the cut are what was
    // there before. Once the line is whole up to its checksum, it is the newest save.
    for (let cut = before.length - 2; cut < whole.length - 2; cut++) {
      writeFileSync(path, Buffer.concat([whole.subarray(0, cut), before.subarray(cut)]));
      const logger = createMemoryLogger();
      const reader = new UpdateStateFile(path, logger);
      expect(reader.load(), `cut at byte ${cut}`).toEqual({ offset: 5, held: heldAt(5), seen: [] });
      expect(logger.find('error')).toHaveLength(0);
      // The next run writes the file afresh before adding to it, so the torn bytes never spoil a save.
      reader.save({ offset: 9, held: [], seen: [] });
      reader.save({ offset: 10, held: [], seen: [] });
      expect(JSON.parse(readFileSync(path, 'utf8')).offset, `cut at byte ${cut}`).toBe(10);
      expect(new UpdateStateFile(path, silentLogger).load().offset, `cut at byte ${cut}`).toBe(10);
    }
    expect(new UpdateStateFile(path, silentLogger).load().offset).toBe(10);
  });
});
