// Child process of run.mjs: describes a bench file's plan, or runs one case of it and prints its
// measurements as JSON.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';

const [file, caseName] = process.argv.slice(2);
const bench = (await import(pathToFileURL(file).href)).default;
if (caseName === undefined) {
  // Plan request: a plain script has already run on import; a plan is described for run.mjs.
  if (bench?.cases) {
    const cases = bench.cases.map(({ name, baseline, nodeFlags }) => ({ name, baseline, nodeFlags }));
    console.log(`@@bench-plan ${JSON.stringify({ title: bench.title, cases })}`);
  }
  process.exit(0);
}
const benchCase = bench.cases.find((c) => c.name === caseName);
if (!benchCase) throw new Error(`no case "${caseName}" in ${file}`);

const context = await bench.setup();
const runs = bench.runs ?? 7;
// BENCH_GC_EACH=1 collects the previous run's garbage (and drops its result) before each run, so the
// peaks are those of one call; by default runs follow each other and their garbage may pile up.
const gcEach = process.env.BENCH_GC_EACH === '1';
globalThis.gc?.();
const heapBefore = v8.getHeapStatistics();
// The heap is highest just before a collection: the profiler records the used size at each one.
const profiler = new v8.GCProfiler();
profiler.start();
// maxRSS is the process's peak so far: after setup, the rise is what the case itself needed.
const peakBefore = process.resourceUsage().maxRSS;
let result = benchCase.run(context);
const samples = [];
// CPU time (this process, GC threads included) is far less disturbed than wall time on a shared machine.
const cpuBefore = process.cpuUsage();
for (let i = 0; i < runs; i++) {
  if (gcEach) {
    result = undefined;
    globalThis.gc?.();
  }
  const start = performance.now();
  result = benchCase.run(context);
  samples.push(performance.now() - start);
}
const cpu = process.cpuUsage(cpuBefore);
const peakAfter = process.resourceUsage().maxRSS;
const heapAfter = v8.getHeapStatistics();
let peakUsed = heapAfter.used_heap_size;
let peakTotal = heapAfter.total_heap_size;
for (const { beforeGC } of profiler.stop().statistics) {
  peakUsed = Math.max(peakUsed, beforeGC.heapStatistics.usedHeapSize);
  peakTotal = Math.max(peakTotal, beforeGC.heapStatistics.totalHeapSize);
}
const sorted = [...samples].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    runs,
    medianMs: sorted[Math.floor(sorted.length / 2)],
    minMs: sorted[0],
    cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs,
    inputBytes: bench.inputBytes(context),
    peakRssDeltaKb: peakAfter - peakBefore,
    peakHeapUsedDeltaKb: Math.round((peakUsed - heapBefore.used_heap_size) / 1024),
    peakHeapTotalDeltaKb: Math.round((peakTotal - heapBefore.total_heap_size) / 1024),
    gcEach,
    detail: benchCase.describe?.(result),
  }),
);
