import { parseMessageTarget } from '@hermes/adapter-core';

/**
 * Checks a job's `deliver` (comma-separated `local`, `origin`, or message targets) with the one target
 * parser, so a typo fails when the job is created, not silently when it first runs. Returns the problem.
 */
export function deliverTargetsProblem(deliver: string): string | undefined {
  for (const raw of deliver.split(',')) {
    const target = raw.trim();
    if (target === 'local' || target === 'origin') continue;
    const parsed = parseMessageTarget(target);
    if (!parsed.ok) return `deliver "${target}": ${parsed.error} Or "local" / "origin".`;
  }
  return undefined;
}
