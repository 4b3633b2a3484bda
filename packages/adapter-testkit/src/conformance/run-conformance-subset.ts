import { describe, it } from 'vitest';
import { runConformanceScenario } from './run-conformance-suite.js';
import type { ScenarioId } from './scenario.js';
import type { ConformanceDriver } from './types.js';

export interface ConformanceSubset {
  title: string;
  applicable: readonly ScenarioId[];
  /** Every scenario left out, with why it does not fit this kind of adapter. */
  notApplicable: Partial<Record<ScenarioId, string>>;
  timeoutMs?: number;
}

/**
 * For adapters the suite's push-platform model does not fit (request/response servers, webhook
 * receivers): runs the scenarios that apply and lists each one that does not as skipped, with its reason in
 * the test name, so the report shows exactly what is not covered and why instead of silently omitting it.
 */
export function runConformanceSubset(driver: ConformanceDriver, subset: ConformanceSubset): void {
  describe(subset.title, () => {
    for (const id of subset.applicable) {
      it(
        `conformance: ${id}`,
        async (ctx) => {
          const outcome = await runConformanceScenario(driver, id);
          if (outcome.status === 'skipped') ctx.skip(outcome.reason);
        },
        subset.timeoutMs ?? 45_000,
      );
    }
    for (const [id, reason] of Object.entries(subset.notApplicable)) {
      it.skip(`conformance: ${id} [not applicable: ${reason}]`, () => {});
    }
  });
}
