import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdapterContext, MediaCache, silentLogger } from '@hermes/adapter-core';

export interface BenchContext {
  /** Replace `ctx.receive` with the benchmark's own handler before starting the adapter. */
  ctx: AdapterContext;
  cleanup(): void;
}

/**
 * A minimal AdapterContext for benchmarks: unlike the test context it records nothing, so a long run
 * does not measure the growth of its own bookkeeping.
 */
export function benchContext(prefix: string): BenchContext {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-bench-`));
  const controller = new AbortController();
  const ctx: AdapterContext = {
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
