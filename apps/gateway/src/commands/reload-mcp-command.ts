import type { CommandSpec } from './registry.js';

/**
 * What `/reload-mcp` runs: re-read `mcp_servers` from config.yaml, close every MCP connection, reconnect.
 * Resolves to one line per server, or rejects with a reason when config.yaml cannot be used (the running
 * servers are then left as they were).
 */
export type McpReloader = () => Promise<readonly string[]>;

/** `/reload-mcp`: reconnects the MCP servers without restarting the gateway. */
export function createReloadMcpCommand(reload: McpReloader): CommandSpec {
  return {
    // Telegram's command menu takes only [a-z0-9_]: a hyphen in the name would make setMyCommands refuse
    // the whole menu. The spec's spelling stays typeable as the alias.
    name: 'reload_mcp',
    aliases: ['reload-mcp'],
    summary: 'reconnect the MCP servers from config.yaml (their tools change from the next turn)',
    bypass: false,
    async handle() {
      try {
        const lines = await reload();
        if (lines.length === 0)
          return {
            kind: 'reply',
            text: '🔌 No MCP servers are configured: add them under mcp_servers in config.yaml, then /reload-mcp.',
          };
        return {
          kind: 'reply',
          text: ['🔌 MCP servers reloaded:', ...lines.map((l) => `• ${l}`)].join('\n'),
        };
      } catch (error) {
        return {
          kind: 'reply',
          text: `⚠️ MCP servers not reloaded (the running ones are kept): ${(error as Error).message}`,
        };
      }
    },
  };
}
