import { describe, it } from 'vitest';
import { withTimeout } from '../wait-for.js';
import { listeningServers, type ScenarioId } from './scenario.js';
import { conformanceScenarios } from './scenario-list.js';
import { type ConformanceDriver, type ConformanceHarness, resolveTimeouts } from './types.js';

export type ScenarioOutcome = { status: 'passed' } | { status: 'skipped'; reason: string };

/**
 * Registers one `it` per scenario inside a describe block. Call it at the top level of an adapter's
 * test file. Scenarios the adapter's declared capabilities rule out are registered as `it.skip` with
 * the reason in the title; without declared capabilities they skip at run time with the reason as note.
 */
export function runConformanceSuite(driver: ConformanceDriver): void {
  const timeouts = resolveTimeouts(driver.timeouts);
  describe(`${driver.name}: adapter conformance`, () => {
    for (const scenario of conformanceScenarios) {
      const reason = scenario.unsupported?.(driver.capabilities, driver);
      if (reason !== undefined) {
        it.skip(`${scenario.title} [skipped: ${reason}]`, () => {});
        continue;
      }
      it(
        scenario.title,
        async (context) => {
          const outcome = await runConformanceScenario(driver, scenario.id);
          if (outcome.status === 'skipped') context.skip(outcome.reason);
        },
        timeouts.testMs,
      );
    }
  });
}

/**
 * Runs one scenario on a fresh harness: setup, start, scenario, stop, teardown, context cleanup.
 * Throws the scenario's failure (cleanup errors are reported only when the scenario itself passed).
 */
export async function runConformanceScenario(
  driver: ConformanceDriver,
  id: ScenarioId,
): Promise<ScenarioOutcome> {
  const scenario = conformanceScenarios.find((s) => s.id === id);
  if (scenario === undefined) throw new Error(`unknown conformance scenario "${id}"`);
  const timeouts = resolveTimeouts(driver.timeouts);
  const harness = await withTimeout(driver.setup(), timeouts.startMs, `${driver.name}: driver.setup()`);
  let started = false;
  let stopped = false;
  const stopAdapter = async () => {
    if (!started || stopped) return;
    stopped = true;
    await withTimeout(harness.adapter.stop(), timeouts.startMs, `${driver.name}: adapter.stop()`);
  };

  let outcome: ScenarioOutcome = { status: 'passed' };
  let failure: unknown;
  try {
    const reason = scenario.unsupported?.(harness.adapter.capabilities, driver);
    if (reason !== undefined) {
      outcome = { status: 'skipped', reason };
    } else {
      const listenersBeforeStart = listeningServers();
      await scenario.beforeStart?.(harness);
      started = true;
      await withTimeout(
        harness.adapter.start(harness.context.ctx),
        timeouts.startMs,
        `${driver.name}: adapter.start()`,
      );
      await scenario.run({ harness, driver, timeouts, stopAdapter, listenersBeforeStart });
    }
  } catch (error) {
    failure = error;
  }
  const cleanupError = await finish(harness, stopAdapter, timeouts.startMs);
  if (failure !== undefined) throw failure;
  if (cleanupError !== undefined) throw cleanupError;
  return outcome;
}

async function finish(
  harness: ConformanceHarness,
  stopAdapter: () => Promise<void>,
  timeoutMs: number,
): Promise<Error | undefined> {
  let first: Error | undefined;
  const attempt = async (what: string, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      first ??= new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  };
  await attempt('adapter.stop()', stopAdapter);
  await attempt('harness.teardown()', () => withTimeout(harness.teardown(), timeoutMs, 'harness.teardown()'));
  await attempt('test context cleanup', () => harness.context.cleanup());
  return first;
}
