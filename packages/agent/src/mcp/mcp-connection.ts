import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { AgentLogger, ToolResult } from '../types.js';
import { flattenToolResult } from './flatten-result.js';
import {
  DEFAULT_MCP_CONNECT_TIMEOUT_MS,
  DEFAULT_MCP_TOOL_TIMEOUT_MS,
  type McpServerConfig,
} from './mcp-config.js';

/** A tool as the server lists it. */
export interface McpRemoteTool {
  name: string;
  description: string | undefined;
  inputSchema: Record<string, unknown>;
}

export type McpConnectResult = { ok: true; connection: McpConnection } | { ok: false; reason: string };

const STDERR_TAIL_CHARS = 2000;
/** A server listing more pages than this is almost certainly looping on its cursor. */
const MAX_LIST_PAGES = 50;

/** The last line a stdio server wrote to stderr: usually why it died. */
class StderrTail {
  private text = '';
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-STDERR_TAIL_CHARS);
  }
  lastLine(): string | undefined {
    const line = this.text.trim().split('\n').at(-1)?.trim();
    return line ? line.slice(0, 200) : undefined;
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function transportFor(config: McpServerConfig, tail: StderrTail): Transport {
  if (config.transport === 'http') {
    return new StreamableHTTPClientTransport(new URL(config.url), {
      ...(config.headers ? { requestInit: { headers: { ...config.headers } } } : {}),
    });
  }
  const transport = new StdioClientTransport({
    command: config.command,
    ...(config.args ? { args: [...config.args] } : {}),
    ...(config.env ? { env: { ...config.env } } : {}),
    ...(config.cwd ? { cwd: config.cwd } : {}),
    // Piped, not inherited: a chatty server must not write into the gateway's own console and log.
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
  return transport;
}

/** One connected MCP server: its tools and a way to call them. */
export class McpConnection {
  #closing = false;

  constructor(
    readonly server: string,
    private readonly client: Client,
    private readonly transport: Transport,
    readonly tools: readonly McpRemoteTool[],
    readonly toolTimeoutMs: number,
    logger: AgentLogger,
  ) {
    client.onclose = () => {
      if (!this.#closing) logger.warn('mcp server connection closed', { server });
    };
  }

  /** Bounded by the server's tool timeout and cancelled (a `notifications/cancelled` to the server) on `signal`. */
  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    try {
      const result = await this.client.callTool({ name: tool, arguments: args }, undefined, {
        signal,
        timeout: this.toolTimeoutMs,
        maxTotalTimeout: this.toolTimeoutMs,
      });
      return flattenToolResult(result);
    } catch (error) {
      if (signal.aborted)
        return {
          ok: false,
          output: `Interrupted: the call to ${tool} on MCP server "${this.server}" was cancelled.`,
        };
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout)
        return {
          ok: false,
          output: `The MCP tool ${tool} on server "${this.server}" gave no answer within ${Math.round(this.toolTimeoutMs / 1000)} s, so the call was cancelled.`,
        };
      return {
        ok: false,
        output: `The MCP server "${this.server}" could not run ${tool}: ${describeError(error)}`,
      };
    }
  }

  /** Ends the session; a stdio child gets SIGTERM, then SIGKILL if it lingers (the SDK's own escalation). */
  async close(): Promise<void> {
    this.#closing = true;
    // An HTTP server keeps a session until told it is over; a DELETE frees it (bounded: the server may be gone).
    if (this.transport instanceof StreamableHTTPClientTransport)
      await withDeadline(this.transport.terminateSession(), 2000, 'ending the session').catch(
        () => undefined,
      );
    await this.client.close().catch(() => undefined);
  }
}

async function listAllTools(client: Client, signal: AbortSignal, timeout: number): Promise<McpRemoteTool[]> {
  const tools: McpRemoteTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const res = await client.listTools(cursor ? { cursor } : undefined, { signal, timeout });
    for (const t of res.tools)
      tools.push({
        name: t.name,
        description: t.description ?? t.title,
        inputSchema: t.inputSchema as Record<string, unknown>,
      });
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

/**
 * Starts (stdio) or reaches (HTTP) one server, does the MCP handshake and lists its tools, all within the
 * connect timeout. Never throws: a server that cannot be used comes back with the reason.
 */
export async function connectMcpServer(
  server: string,
  config: McpServerConfig,
  logger: AgentLogger,
): Promise<McpConnectResult> {
  const connectTimeoutMs = config.connectTimeoutMs ?? DEFAULT_MCP_CONNECT_TIMEOUT_MS;
  const tail = new StderrTail();
  const client = new Client({ name: 'hermes-agent', version: '0.1.0' });
  const abort = new AbortController();
  try {
    const transport = transportFor(config, tail);
    const tools = await withDeadline(
      (async () => {
        await client.connect(transport, { signal: abort.signal, timeout: connectTimeoutMs });
        return listAllTools(client, abort.signal, connectTimeoutMs);
      })(),
      connectTimeoutMs,
      'connecting and listing tools',
    );
    const connection = new McpConnection(
      server,
      client,
      transport,
      tools,
      config.toolTimeoutMs ?? DEFAULT_MCP_TOOL_TIMEOUT_MS,
      logger,
    );
    return { ok: true, connection };
  } catch (error) {
    abort.abort();
    await client.close().catch(() => undefined);
    const stderr = tail.lastLine();
    return { ok: false, reason: `${describeError(error)}${stderr ? ` (stderr: ${stderr})` : ''}` };
  }
}
