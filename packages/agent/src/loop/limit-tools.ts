import type { AgentTool, ToolLimits } from '../types.js';

/**
 * The tools one turn may use. Filtering the map itself (not only the list shown to the model) means a
 * model that names a hidden tool anyway gets "no tool named …" and nothing runs.
 */
export function limitTools(
  tools: ReadonlyMap<string, AgentTool>,
  limits: ToolLimits | undefined,
): ReadonlyMap<string, AgentTool> {
  if (!limits || (limits.toolsets === undefined && limits.withoutToolsets === undefined)) return tools;
  const only = limits.toolsets === undefined ? undefined : new Set(limits.toolsets);
  const without = new Set(limits.withoutToolsets ?? []);
  const kept = new Map<string, AgentTool>();
  for (const [name, tool] of tools) {
    const set = tool.toolset ?? tool.name;
    if (only && !only.has(set)) continue;
    if (without.has(set)) continue;
    kept.set(name, tool);
  }
  return kept;
}
