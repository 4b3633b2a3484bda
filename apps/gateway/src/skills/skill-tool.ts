import { type AgentTool, defineTool } from '@hermes/agent';
import { z } from 'zod';
import { type Skill, skillFiles } from './skill-library.js';

/**
 * `skill_view`: the model loads a skill's instructions when it decides to use one. The list of skills is
 * in the tool's description, so the model sees what exists without every body filling its context.
 */
export function createSkillTool(skills: readonly Skill[]): AgentTool {
  const listing = skills.map((s) => `- ${s.name}: ${s.description}`).join('\n');
  return defineTool({
    name: 'skill_view',
    toolset: 'skills',
    emoji: '📚',
    description: `Load the instructions of one of these skills before doing what it covers:\n${listing}`,
    schema: z.object({ name: z.string().describe('the skill name') }),
    preview: (a) => a.name,
    async execute({ name }, ctx) {
      // A turn whose platform named its skills (a webhook route) loads only those.
      const allowed = ctx.context.allowedSkills;
      if (Array.isArray(allowed) && !allowed.includes(name))
        return { ok: false, output: `This task may use only these skills: ${allowed.join(', ')}` };
      const skill = skills.find((s) => s.name === name);
      if (!skill)
        return { ok: false, output: `No skill "${name}". Skills: ${skills.map((s) => s.name).join(', ')}` };
      const files = skillFiles(skill);
      const extra = files.length ? `\n\nFiles of this skill:\n${files.map((f) => `- ${f}`).join('\n')}` : '';
      return { ok: true, output: `# Skill: ${skill.name}\n\n${skill.body}${extra}` };
    },
  });
}
