// Runs one task in a fresh process and prints its peak memory above the starting point as JSON, so that
// garbage and caches of other benchmarks do not blur the figure. Usage: node --expose-gc mem-probe.mjs <task> <json-args>
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createWecomDecryptStream, decryptWecomMedia } from '../dist/index.js';

const tasks = {
  async 'stream-decrypt'({ source, target, aeskey }) {
    await pipeline(createReadStream(source), createWecomDecryptStream(aeskey), createWriteStream(target));
  },
  async 'buffer-decrypt'({ source, target, aeskey }) {
    await writeFile(target, decryptWecomMedia(await readFile(source), aeskey));
  },
  async upload(args) {
    const { uploadOnce } = await import('./upload-task.mjs');
    return uploadOnce(args);
  },
};

const [task, json] = process.argv.slice(2);
const live = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};
globalThis.gc?.();
const base = process.memoryUsage().rss;
const liveBase = live();
let peak = base;
let livePeak = liveBase;
// Two figures: RSS (includes garbage the GC has not collected yet) and live memory, sampled right after a
// forced collection, which is what the code actually holds on to.
let tick = 0;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
  if (++tick % 5 === 0 && globalThis.gc) {
    globalThis.gc();
    livePeak = Math.max(livePeak, live());
  }
}, 2);
const started = performance.now();
const value = await tasks[task](JSON.parse(json));
const seconds = (performance.now() - started) / 1000;
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(timer);
process.stdout.write(
  JSON.stringify({
    peakRssMb: (peak - base) / 2 ** 20,
    peakLiveMb: (livePeak - liveBase) / 2 ** 20,
    seconds,
    value: value ?? null,
  }),
);
