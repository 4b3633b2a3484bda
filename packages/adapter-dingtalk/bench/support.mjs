// Shared by the benchmark scripts: the fake in a child process and a minimal AdapterContext.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaCache, silentLogger } from '@hermes/adapter-core';

export async function startFakeProcess() {
  const child = fork(new URL('./fake-process.mjs', import.meta.url), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('error', reject);
  });
  let n = 0;
  const waiting = new Map();
  child.on('message', (msg) => {
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(msg.error));
    else w.resolve(msg.result);
  });
  const call = (type, args = {}) =>
    new Promise((resolve, reject) => {
      const id = ++n;
      waiting.set(id, { resolve, reject });
      child.send({ ...args, type, id });
    });
  return { ...ready, call, close: () => call('close') };
}

export function benchContext() {
  const dir = mkdtempSync(join(tmpdir(), 'dingtalk-bench-'));
  const controller = new AbortController();
  const ctx = {
    receive: () => {},
    status: () => {},
    logger: silentLogger,
    mediaCache: new MediaCache({ dir }),
    signal: controller.signal,
  };
  return {
    ctx,
    cleanup() {
      controller.abort();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const fmt = (n, digits = 1) => Number(n).toFixed(digits);
