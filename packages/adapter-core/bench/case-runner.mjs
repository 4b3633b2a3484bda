// Child process of run.mjs: describes a bench file's plan, or runs one case of it and prints its
// measurements as JSON.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [file, caseName] = process.argv.slice(2);
const bench = (await import(pathToFileURL(file).href)).default;
if (caseName === undefined) {
  // Plan request: a plain script has already run on import; a plan is described for run.mjs.
  if (bench?.cases) {
    const cases = bench.cases.map(({ name, baseline }) => ({ name, baseline }));
    console.log(`@@bench-plan ${JSON.stringify({ title: bench.title, cases })}`);
  }
  process.exit(0);
}
const benchCase = bench.cases.find((c) => c.name === caseName);
if (!benchCase) throw new Error(`no case "${caseName}" in ${file}`);

const context = await bench.setup();
const runs = bench.runs ?? 7;
globalThis.gc?.();
// maxRSS is the process's peak so far: after setup, the rise is what the case itself needed.
const peakBefore = process.resourceUsage().maxRSS;
let result = benchCase.run(context);
const samples = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  result = benchCase.run(context);
  samples.push(performance.now() - start);
}
const peakAfter = process.resourceUsage().maxRSS;
const sorted = [...samples].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    runs,
    medianMs: sorted[Math.floor(sorted.length / 2)],
    minMs: sorted[0],
    inputBytes: bench.inputBytes(context),
    peakRssDeltaKb: peakAfter - peakBefore,
    detail: benchCase.describe?.(result),
  }),
);
