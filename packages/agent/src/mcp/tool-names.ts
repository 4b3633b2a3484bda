/** OpenAI's rule for function names; the agent refuses any other. */
export const TOOL_NAME_RULE = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_TOOL_NAME = 64;

/** Every character outside the OpenAI rule becomes `_`, so `files.read` and `files/read` stay readable. */
export function sanitizeToolNamePart(raw: string): string {
  const cleaned = raw.replace(/[^a-zA-Z0-9_-]/g, '_');
  return cleaned.length > 0 ? cleaned : '_';
}

/**
 * `<server>__<tool>`, sanitised and cut to 64 characters. Cutting can make two names equal; the caller
 * refuses the second one rather than guessing which the model meant.
 */
export function mcpToolName(server: string, tool: string): string {
  return `${sanitizeToolNamePart(server)}__${sanitizeToolNamePart(tool)}`.slice(0, MAX_TOOL_NAME);
}

export const mcpToolset = (server: string): string => `mcp:${server}`;
