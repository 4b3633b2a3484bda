import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@hermes/adapter-core';
import { parse as parseYaml } from 'yaml';

/** One `SKILL.md` folder under `$HERMES_HOME/skills` (spec: front matter `name`, `description`). */
export interface Skill {
  name: string;
  description: string;
  /** The instructions after the front matter. */
  body: string;
  dir: string;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;
/** A skill's instructions go into the model's context: bounded like any tool output. */
const MAX_BODY_CHARS = 40_000;

function parseSkill(dir: string, folder: string): Skill | string {
  const file = join(dir, 'SKILL.md');
  const text = readFileSync(file, 'utf8');
  const match = FRONT_MATTER.exec(text);
  if (!match) return `${file}: no front matter (start the file with --- name: … description: … ---)`;
  let meta: unknown;
  try {
    meta = parseYaml(match[1]!);
  } catch (err) {
    return `${file}: front matter is not YAML (${(err as Error).message.split('\n')[0]})`;
  }
  const m = (meta ?? {}) as { name?: unknown; description?: unknown };
  const name = typeof m.name === 'string' ? m.name.trim() : folder;
  if (!NAME.test(name))
    return `${file}: name "${name}" must be lowercase letters, digits, - or _ (it becomes /${name})`;
  if (typeof m.description !== 'string' || !m.description.trim())
    return `${file}: add a description: line to the front matter (the model picks skills by it)`;
  const body = match[2]!.trim();
  if (body.length > MAX_BODY_CHARS) return `${file}: longer than ${MAX_BODY_CHARS} characters; split it`;
  return { name, description: m.description.trim(), body, dir };
}

/**
 * Reads every skill once, at start. A broken one is logged with the file and the fix and left out; the
 * others load.
 */
export function loadSkills(root: string, logger: Logger): Skill[] {
  if (!existsSync(root)) return [];
  const skills: Skill[] = [];
  for (const folder of readdirSync(root).sort()) {
    const dir = join(root, folder);
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, 'SKILL.md'))) continue;
    const parsed = parseSkill(dir, folder);
    if (typeof parsed === 'string') logger.warn('skill not loaded', { problem: parsed });
    else if (skills.some((s) => s.name === parsed.name))
      logger.warn('skill not loaded', { problem: `${dir}: another skill is already named ${parsed.name}` });
    else skills.push(parsed);
  }
  return skills;
}

/** The files a skill ships besides SKILL.md (scripts, templates), for the model to read with its tools. */
export function skillFiles(skill: Skill): string[] {
  return readdirSync(skill.dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'SKILL.md')
    .map((e) => join(e.parentPath, e.name))
    .slice(0, 50);
}
