/** What one benchmark module's `run()` resolves to: a title and the lines to print under it. */
export interface BenchmarkResult {
  name: string;
  lines: string[];
}

/** A benchmark module, loaded lazily so that naming one on the command line loads only that one. */
export type BenchmarkLoader = () => Promise<{ run(): Promise<BenchmarkResult> }>;

/**
 * The `pnpm bench` runner every adapter shares: runs the benchmarks named in `names` (all of them when
 * none is named) one after the other, printing each result. An unknown name is reported with the valid
 * ones and sets a failing exit code, and the others still run.
 */
export async function runBenchmarks(
  all: Record<string, BenchmarkLoader>,
  names: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const wanted = names.length > 0 ? names : Object.keys(all);
  for (const key of wanted) {
    const load = Object.hasOwn(all, key) ? all[key] : undefined;
    if (!load) {
      console.error(`unknown benchmark ${key}; choose from ${Object.keys(all).join(', ')}`);
      process.exitCode = 1;
      continue;
    }
    const { run } = await load();
    const result = await run();
    console.log(`\n== ${result.name}`);
    for (const line of result.lines) console.log(`   ${line}`);
  }
}
