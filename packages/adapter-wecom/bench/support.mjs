// Shared by the benchmark scripts: the fake in a child process, a minimal AdapterContext, memory sampling.
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
  return {
    url: ready.url,
    botId: ready.botId,
    secret: ready.secret,
    call,
    async close() {
      await call('close');
    },
  };
}

export function benchContext() {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-bench-'));
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

/** Samples RSS and external+arrayBuffers every 5 ms while `fn` runs; returns the peaks above the start. */
export async function measurePeak(fn) {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakExternal = base.external + base.arrayBuffers;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  try {
    const value = await fn();
    sample();
    return {
      value,
      peakRssMb: (peakRss - base.rss) / 2 ** 20,
      peakExternalMb: (peakExternal - base.external - base.arrayBuffers) / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
  }
}

export const mb = (bytes) => bytes / 2 ** 20;
export const fmt = (n, digits = 1) => Number(n).toFixed(digits);

/** Runs bench/mem-probe.mjs in a fresh process and returns its JSON report. */
export async function probeMemory(task, args) {
  const { execFile } = await import('node:child_process');
  const script = new URL('./mem-probe.mjs', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', script, task, JSON.stringify(args)],
      { maxBuffer: 1 << 20 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(stdout));
      },
    );
  });
}
