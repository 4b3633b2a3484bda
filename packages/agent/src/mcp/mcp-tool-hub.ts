import type { AgentLogger, AgentTool, ToolProvider } from '../types.js';
import type { McpServerConfig, McpServerSummary } from './mcp-config.js';
import { connectMcpServer, type McpConnection, type McpRemoteTool } from './mcp-connection.js';
import { mcpToolName, mcpToolset, TOOL_NAME_RULE } from './tool-names.js';

export interface McpToolHubOptions {
  logger?: AgentLogger;
}

const noopLogger: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };

function agentToolFor(connection: McpConnection, remote: McpRemoteTool, name: string): AgentTool {
  // `$schema` is noise to the model and some providers reject it inside `parameters`.
  const { $schema: _dropped, ...schema } = remote.inputSchema;
  return {
    name,
    description:
      remote.description?.trim() || `The ${remote.name} tool of the MCP server "${connection.server}".`,
    parameters: { type: 'object', ...schema },
    emoji: '🔌',
    toolset: mcpToolset(connection.server),
    execute: (args, ctx) => connection.call(remote.name, args, ctx.signal),
  };
}

/**
 * The MCP servers' tools as one replaceable set: pass the hub to `createAgent({ toolProviders: [hub] })`
 * and every turn sees the tools of the servers connected when it starts. `connect` replaces the whole set
 * (closing the old connections first), so `/reload-mcp` is a `connect` with the re-read config.
 */
export class McpToolHub implements ToolProvider {
  #connections: McpConnection[] = [];
  #tools: readonly AgentTool[] = [];
  #summaries: readonly McpServerSummary[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  readonly #logger: AgentLogger;

  constructor(options: McpToolHubOptions = {}) {
    this.#logger = options.logger ?? noopLogger;
  }

  tools(): readonly AgentTool[] {
    return this.#tools;
  }

  /** How the last `connect` went, one entry per configured server. */
  summaries(): readonly McpServerSummary[] {
    return this.#summaries;
  }

  /**
   * Closes every current connection, then connects every given server in parallel (each within its own
   * connect timeout). A server that fails is logged and left out; the others are used.
   */
  connect(servers: Readonly<Record<string, McpServerConfig>>): Promise<readonly McpServerSummary[]> {
    return this.#serialized(async () => {
      await this.#closeAll();
      const names = Object.keys(servers);
      const results = await Promise.all(
        names.map(async (server) => ({
          server,
          result: await connectMcpServer(server, servers[server] as McpServerConfig, this.#logger),
        })),
      );
      const tools: AgentTool[] = [];
      const taken = new Map<string, string>();
      const summaries: McpServerSummary[] = [];
      for (const { server, result } of results) {
        if (!result.ok) {
          this.#logger.warn('mcp server not started; its tools are left out', {
            server,
            reason: result.reason,
          });
          summaries.push({ server, ok: false, reason: result.reason });
          continue;
        }
        this.#connections.push(result.connection);
        const refused: string[] = [];
        let offered = 0;
        for (const remote of result.connection.tools) {
          const name = mcpToolName(server, remote.name);
          const owner = taken.get(name);
          if (owner !== undefined || !TOOL_NAME_RULE.test(name)) {
            this.#logger.warn(
              'mcp tool refused: its name collides with another tool once sanitised to the OpenAI rules; rename the server in config.yaml',
              { server, tool: remote.name, name, takenBy: owner },
            );
            refused.push(remote.name);
            continue;
          }
          taken.set(name, `${server}/${remote.name}`);
          tools.push(agentToolFor(result.connection, remote, name));
          offered += 1;
        }
        this.#logger.info('mcp server connected', { server, tools: offered });
        summaries.push({ server, ok: true, tools: offered, refused });
      }
      this.#tools = tools;
      this.#summaries = summaries;
      return summaries;
    });
  }

  /** Closes every connection (and stdio child process); the hub offers no tools afterwards. */
  close(): Promise<void> {
    return this.#serialized(() => this.#closeAll());
  }

  async #closeAll(): Promise<void> {
    const open = this.#connections;
    this.#connections = [];
    this.#tools = [];
    this.#summaries = [];
    await Promise.all(open.map((c) => c.close()));
  }

  /** A reload while another runs waits for it: two overlapping reloads would leak the first's children. */
  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
