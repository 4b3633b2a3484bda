import type { PlatformAdapter, PlatformAgentTool } from '@hermes/adapter-core';
import type { AgentTool } from '@hermes/agent';

/**
 * A platform's tool as the agent sees it. A call that `approval(args)` flags waits for `/approve` (or the
 * approval buttons) first, exactly like a dangerous terminal command; a denial reaches the model as a tool
 * error it can explain.
 */
function toAgentTool(tool: PlatformAgentTool): AgentTool {
  const agentTool: AgentTool = {
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    toolset: tool.toolset,
    async execute(args, ctx) {
      const asked = tool.approval?.(args);
      if (asked) {
        const outcome = await ctx.requestApproval(asked.command, asked.reason, asked.patternKey);
        if (!outcome.approved)
          return {
            ok: false,
            output: `Not run: the user's approval was ${outcome.reason} (${asked.command}).`,
          };
      }
      return tool.execute(args, ctx.signal);
    },
  };
  if (tool.emoji !== undefined) agentTool.emoji = tool.emoji;
  if (tool.preview) agentTool.preview = tool.preview;
  return agentTool;
}

/** Every tool the enabled platforms give the agent (only platforms with `capabilities.agentTools`). */
export function platformAgentTools(adapters: readonly PlatformAdapter[]): AgentTool[] {
  return adapters.flatMap((a) =>
    a.capabilities.agentTools && a.agentTools ? a.agentTools().map(toAgentTool) : [],
  );
}
