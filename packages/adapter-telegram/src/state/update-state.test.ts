import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@hermes/adapter-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type TelegramUpdateState, UpdateStateFile } from './update-state.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const stateAt = (offset: number): TelegramUpdateState => ({ offset, held: [], seen: [] });

describe('UpdateStateFile.saveSoon', () => {
  it('runs one write at a time; saves asked for before it starts share it, and it reads the newest state', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-telegram-state-'));
    const file = new UpdateStateFile(join(dir, 'state', 'updates-1.json'), silentLogger);
    const superseded = vi.fn(() => stateAt(10));
    const newest = vi.fn(() => stateAt(11));
    const a = file.saveSoon(superseded);
    const b = file.saveSoon(newest);
    expect(b).toBe(a);
    // Nothing is read or written in the turn that asked: replies queued in it go out first.
    expect(newest).not.toHaveBeenCalled();
    expect((await a).offset).toBe(11);
    expect(superseded).not.toHaveBeenCalled();
    expect(newest).toHaveBeenCalledTimes(1);

    const started = vi.fn(() => stateAt(12));
    const c = file.saveSoon(started);
    await vi.waitFor(() => expect(started).toHaveBeenCalled(), { timeout: 5_000 });
    const later = vi.fn(() => stateAt(13));
    const d = file.saveSoon(later);
    const e = file.saveSoon(() => stateAt(14));
    expect(d).toBe(e);
    expect(d).not.toBe(c);
    expect((await c).offset).toBe(12);
    expect((await e).offset).toBe(14);
    expect(later).not.toHaveBeenCalled();
    await file.settled();
    expect(file.load().offset).toBe(14);
    await file.close();
    // Only the state file is left: every temp file was renamed over it, the one made ahead removed.
    expect(readdirSync(join(dir, 'state'))).toEqual(['updates-1.json']);
  });

  it('a write that cannot happen rejects its callers and the next one is tried afresh', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-telegram-state-'));
    const file = new UpdateStateFile(join(dir, 'updates-1.json'), silentLogger);
    const broken = () => {
      throw new Error('no state to write');
    };
    await expect(file.saveSoon(broken)).rejects.toThrow('no state to write');
    expect((await file.saveSoon(() => stateAt(5))).offset).toBe(5);
    expect(file.load().offset).toBe(5);
    await file.close();
  });
});
