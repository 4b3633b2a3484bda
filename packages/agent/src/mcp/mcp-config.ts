/** A server the gateway starts as a child process and speaks to over its stdin/stdout. */
export interface McpStdioServerConfig {
  transport: 'stdio';
  command: string;
  args?: readonly string[];
  /** Added to the child's environment, which otherwise holds only PATH, HOME and the like (no secrets). */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** One tool call's limit. Default 60 s. */
  toolTimeoutMs?: number;
  /** Start, handshake and tool listing together. Default 20 s. */
  connectTimeoutMs?: number;
}

/** A server reached over MCP's streamable HTTP transport. */
export interface McpHttpServerConfig {
  transport: 'http';
  url: string;
  /** Sent with every request (e.g. Authorization); never logged. */
  headers?: Readonly<Record<string, string>>;
  toolTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

export const DEFAULT_MCP_TOOL_TIMEOUT_MS = 60_000;
export const DEFAULT_MCP_CONNECT_TIMEOUT_MS = 20_000;

/** How one server's connection went, for logs and `/reload-mcp`. */
export type McpServerSummary =
  | { server: string; ok: true; tools: number; refused: readonly string[] }
  | { server: string; ok: false; reason: string };

export function describeMcpSummary(s: McpServerSummary): string {
  if (!s.ok) return `${s.server}: failed: ${s.reason}`;
  const refused = s.refused.length ? ` (${s.refused.length} refused: ${s.refused.join(', ')})` : '';
  return `${s.server}: connected with ${s.tools} tool${s.tools === 1 ? '' : 's'}${refused}`;
}
