import type { CommandSpec } from '../commands/registry.js';
import type { Skill } from './skill-library.js';

/** `/<skill-name> [args]`: a turn that runs with the skill's instructions in front of the request. */
export function skillCommand(skill: Skill): CommandSpec {
  return {
    name: skill.name,
    summary: `skill: ${skill.description}`,
    bypass: false,
    handle(_ctx, args) {
      const request = args.trim() || 'Apply this skill to our conversation.';
      return {
        kind: 'agent',
        text: `Use the skill "${skill.name}". Its instructions:\n\n${skill.body}\n\nRequest: ${request}`,
      };
    },
  };
}
