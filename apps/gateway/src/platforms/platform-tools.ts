import type { PlatformAdapter, PlatformAgentTool } from '@hermes/adapter-core';
import type { AgentTool } from '@hermes/agent';
import type { AgentToolRunner } from './remote-tools.js';

/**
 * A platform's tool as the agent sees it. A call that `approval(args)` flags waits for `/approve` (or the
 * approval buttons) first, exactly like a dangerous terminal command; a denial reaches the model as a tool
 * error it can explain.
 */
function toAgentTool(tool: PlatformAgentTool, elsewhere: () => AgentToolRunner | undefined): AgentTool {
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
      // With replicas the platform's connection may be held by another one: it runs the tool there.
      const remote = elsewhere();
      return remote ? remote(tool.name, args, ctx.signal) : tool.execute(args, ctx.signal);
    },
  };
  if (tool.emoji !== undefined) agentTool.emoji = tool.emoji;
  if (tool.preview) agentTool.preview = tool.preview;
  return agentTool;
}

/**
 * Every tool the enabled platforms give the agent (only platforms with `capabilities.agentTools`). `route`
 * says, at each call, whether another replica runs the platform's tools (it holds the connection).
 */
export function platformAgentTools(
  adapters: readonly PlatformAdapter[],
  route: (platform: string) => AgentToolRunner | undefined = () => undefined,
): AgentTool[] {
  return adapters.flatMap((a) =>
    a.capabilities.agentTools && a.agentTools
      ? a.agentTools().map((tool) => toAgentTool(tool, () => route(a.platform)))
      : [],
  );
}
