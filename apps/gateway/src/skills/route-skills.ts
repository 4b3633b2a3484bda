import type { Logger, TurnLimits } from '@hermes/adapter-core';
import type { Skill } from './skill-library.js';

/**
 * A turn whose platform names skills (a webhook route's `skills`): those skills' instructions go into the
 * system prompt up front, as the Python gateway preloads them, and `skill_view` may load only those. A named
 * skill that is not installed is logged with the fix; the turn runs with the rest.
 */
export function routeSkills(
  installed: readonly Skill[],
  limits: TurnLimits | undefined,
  logger: Logger,
): { prompt?: string; allowed?: readonly string[] } {
  const names = limits?.skills;
  if (!names) return {};
  const found = installed.filter((s) => names.includes(s.name));
  const missing = names.filter((n) => !found.some((s) => s.name === n));
  if (missing.length)
    logger.warn(
      'skills named for this turn are not installed; install them under $HERMES_HOME/skills/<name>/SKILL.md',
      {
        skills: missing.join(', '),
      },
    );
  if (!found.length) return { allowed: names };
  const bodies = found.map((s) => `# Skill: ${s.name}\n\n${s.body}`).join('\n\n');
  return { prompt: `Follow these skills in this task:\n\n${bodies}`, allowed: names };
}
