// Shared by the benchmark scripts: the fake in a child process, a minimal AdapterContext, memory sampling.
import { fmt, forkBenchProcess, benchContext as sharedBenchContext } from '@hermes/adapter-testkit/bench';

export async function startFakeProcess() {
  const fake = forkBenchProcess(new URL('./fake-process.mjs', import.meta.url));
  const ready = await fake.ready;
  return { ...ready, call: fake.call, close: () => fake.call('close') };
}

export const benchContext = () => sharedBenchContext('wecom');
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
export { fmt };

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
