import { z } from 'zod';
import type { AgentTool, ToolContext, ToolResult } from '../types.js';

export interface ToolDefinition<S extends z.ZodObject> {
  name: string;
  description: string;
  emoji?: string;
  /** The toolset per-turn limits name; default the tool's name. */
  toolset?: string;
  /** Validates the model's arguments and yields the JSON Schema sent to the model. */
  schema: S;
  preview?(args: z.infer<S>): string | undefined;
  execute(args: z.infer<S>, ctx: ToolContext): Promise<ToolResult>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : 'arguments'}: ${i.message}`)
    .join('; ');
}

/**
 * Builds an `AgentTool` from a zod object schema: the model gets the JSON Schema, and arguments that do
 * not fit come back to the model as a tool error it can correct, instead of reaching `execute`.
 */
export function defineTool<S extends z.ZodObject>(def: ToolDefinition<S>): AgentTool {
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(def.schema, { io: 'input' }) as Record<
    string,
    unknown
  >;
  const tool: AgentTool = {
    name: def.name,
    description: def.description,
    parameters,
    async execute(args, ctx) {
      const parsed = def.schema.safeParse(args);
      if (!parsed.success) {
        return { ok: false, output: `Invalid arguments for ${def.name}: ${describeIssues(parsed.error)}` };
      }
      return def.execute(parsed.data, ctx);
    },
  };
  if (def.emoji !== undefined) tool.emoji = def.emoji;
  if (def.toolset !== undefined) tool.toolset = def.toolset;
  const preview = def.preview;
  if (preview) {
    tool.preview = (args) => {
      const parsed = def.schema.safeParse(args);
      return parsed.success ? preview(parsed.data) : undefined;
    };
  }
  return tool;
}
