// Runs every bench/*.bench.mjs of this package and prints each one's table. Benchmarks run against
// the built package (dist/), so build first. Speed is reported against a baseline measured in the same
// run, never as pass/fail.
//
// A bench file either is a plain script that prints its own table when run, or default-exports a plan
// that this runner measures, each case in its own child process so its peak RSS is its own:
//   {
//     title: string,
//     runs?: number,                           // measured runs per case, after one warm-up (default 7)
//     setup(): context | Promise<context>,     // builds the input, once per child process
//     inputBytes(context): number,             // for MB/s
//     cases: Array<{ name: string, run(context): unknown, baseline?: string /* another case's name */,
//                    describe?(result): string /* e.g. chunk count */,
//                    nodeFlags?: string[] /* V8/Node flags for this case's process only */ }>,
//   }
//
// Usage: node bench/run.mjs [substring of a bench file name]
// Memory: peak RSS and peak heap (used / committed, at the collections of the runs) above the level
// after setup. By default the runs follow each other, so one run's garbage can add to the next run's
// peak; BENCH_GC_EACH=1 collects before each run, giving the peak of a single call.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLAN_MARK = '@@bench-plan ';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.mjs') && name.includes(filter))
  .sort();

if (files.length === 0) {
  console.error(`no bench/*.bench.mjs file matches "${filter}"`);
  process.exit(1);
}

const runner = join(here, 'case-runner.mjs');
const node = (args, flags = []) =>
  spawnSync(process.execPath, ['--expose-gc', ...flags, runner, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });

for (const file of files) {
  const path = join(here, file);
  // Loading the file in a child either runs a plain script (its output is its table) or returns a plan.
  const loaded = node([path]);
  const planLine = loaded.stdout.split('\n').find((line) => line.startsWith(PLAN_MARK));
  if (!planLine) {
    process.stdout.write(`\n${file}\n${loaded.stdout}`);
    if (loaded.status !== 0) {
      console.error(loaded.stderr);
      process.exitCode = 1;
    }
    continue;
  }
  const plan = JSON.parse(planLine.slice(PLAN_MARK.length));
  const results = new Map();
  for (const benchCase of plan.cases) {
    const child = node([path, benchCase.name], benchCase.nodeFlags);
    const last = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !last.startsWith('{')) {
      console.error(
        `${file} / ${benchCase.name} failed (exit ${child.status}):\n${child.stderr || child.stdout}`,
      );
      process.exitCode = 1;
      continue;
    }
    results.set(benchCase.name, JSON.parse(last));
  }
  printTable(plan, results);
}

function printTable(bench, results) {
  const rows = [
    [
      'case',
      'ms/run (median)',
      'MB/s',
      'vs baseline',
      'CPU ms/run',
      'peak RSS Δ',
      'peak heap Δ used/total',
      'result',
    ],
  ];
  for (const benchCase of bench.cases) {
    const r = results.get(benchCase.name);
    if (!r) continue;
    const base = benchCase.baseline ? results.get(benchCase.baseline) : undefined;
    rows.push([
      benchCase.name,
      r.medianMs.toFixed(2),
      (r.inputBytes / 1048576 / (r.medianMs / 1000)).toFixed(1),
      base ? `${(r.medianMs / base.medianMs).toFixed(1)}× slower` : 'baseline',
      r.cpuMsPerRun.toFixed(1),
      `${(r.peakRssDeltaKb / 1024).toFixed(1)} MB`,
      `${(r.peakHeapUsedDeltaKb / 1024).toFixed(1)} / ${(r.peakHeapTotalDeltaKb / 1024).toFixed(1)} MB`,
      r.detail ?? '',
    ]);
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const line = (row) =>
    row
      .map((cell, col) => (col === 0 || col === 7 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
      .join('  ');
  const first = results.values().next().value;
  console.log(
    `\n${bench.title}${first ? ` (input ${(first.inputBytes / 1048576).toFixed(2)} MB, ${first.runs} runs per case${first.gcEach ? ', garbage collected before each run' : ''})` : ''}`,
  );
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
}
