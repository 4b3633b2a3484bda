// Benchmark helpers, a separate entry (`@hermes/adapter-testkit/bench`) because benchmarks run under
// plain node, where the main entry's conformance suite (vitest) cannot load.

export { freePort } from '../free-port.js';
export { type BenchContext, benchContext } from './bench-context.js';
export { fmt } from './bench-format.js';
export { type BenchProcess, forkBenchProcess } from './bench-process.js';
export { type BenchmarkLoader, type BenchmarkResult, runBenchmarks } from './run-benchmarks.js';
