import { join } from 'node:path';
import type { Logger } from '@hermes/adapter-core';
import {
  agentOptionsFromEnv,
  createAgent,
  createCheckpointStore,
  createSendMessageTool,
  createTerminalTool,
  describeMcpSummary,
  type McpServerConfig,
  McpToolHub,
} from '@hermes/agent';
import { createReloadMcpCommand } from '../commands/reload-mcp-command.js';
import { createRollbackCommand } from '../commands/rollback-command.js';
import { createUpdateFeature } from '../commands/update/update-feature.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import type { McpServerFileConfig } from '../config/schema.js';
import { createCronTool } from '../cron/cron-tool.js';
import { CronJobsStore } from '../cron/jobs-store.js';
import { GatewayHost, type GatewayHostOptions } from '../host/gateway-host.js';
import { sendToTarget } from '../outbound/send-to-target.js';
import {
  createAdapters,
  knownPlatforms,
  type ResolvedPlatforms,
  resolvePlatforms,
} from '../platforms/catalog.js';
import { profileFromDescriptor } from '../platforms/platform-profile.js';
import { platformAgentTools } from '../platforms/platform-tools.js';
import { skillCommand } from '../skills/skill-command.js';
import { loadSkills } from '../skills/skill-library.js';
import { createSkillTool } from '../skills/skill-tool.js';
import { openStateStorage } from '../state/open-storage.js';
import { askClarify, createClarifyTool } from '../turn/clarify.js';

const seconds = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));

/** config.yaml's snake_case `mcp_servers` as the agent's MCP server configs. */
export function mcpServerConfigs(
  servers: Readonly<Record<string, McpServerFileConfig>>,
): Record<string, McpServerConfig> {
  const out: Record<string, McpServerConfig> = {};
  for (const [name, s] of Object.entries(servers)) {
    const limits = {
      ...(s.timeout_seconds !== undefined ? { toolTimeoutMs: seconds(s.timeout_seconds) } : {}),
      ...(s.connect_timeout_seconds !== undefined
        ? { connectTimeoutMs: seconds(s.connect_timeout_seconds) }
        : {}),
    };
    out[name] = s.url
      ? { transport: 'http', url: s.url, ...(s.headers ? { headers: s.headers } : {}), ...limits }
      : {
          transport: 'stdio',
          command: s.command ?? '',
          ...(s.args ? { args: s.args } : {}),
          ...(s.env ? { env: s.env } : {}),
          ...(s.cwd ? { cwd: s.cwd } : {}),
          ...limits,
        };
  }
  return out;
}

/**
 * The host plus the MCP servers' lifetime: connected before the platforms start (so the first turn has
 * their tools), closed with their child processes after the host has stopped.
 */
class McpGatewayHost extends GatewayHost {
  /** Started once the platforms are up (so they can report to chats), stopped first. */
  readonly watchers: Array<{ start(): void; stop(): void }> = [];

  constructor(
    options: GatewayHostOptions,
    private readonly mcp: McpToolHub,
    private readonly mcpServers: () => Record<string, McpServerConfig>,
  ) {
    super(options);
  }

  override async start(): Promise<void> {
    await this.mcp.connect(this.mcpServers());
    await super.start();
    for (const w of this.watchers) w.start();
  }

  override async stop(drainMs?: number): Promise<void> {
    for (const w of this.watchers) w.stop();
    try {
      await super.stop(drainMs);
    } finally {
      await this.mcp.close();
    }
  }
}

/** Everything `hermes gateway` composes, separate from process concerns so tests can build it too. */
export async function buildGateway(
  config: LoadedConfig,
  logger: Logger,
  resolved?: ResolvedPlatforms,
): Promise<{ host: GatewayHost; problems: string[] }> {
  const { platforms, problems } = resolved ?? (await resolvePlatforms(config.env, config.file));
  for (const p of problems)
    logger.error('platform not started', { platform: p.platform, problem: p.message });
  const agentOptions = agentOptionsFromEnv(config.env);
  if (config.model.baseURL) agentOptions.baseURL = config.model.baseURL;
  if (config.model.apiKey) agentOptions.apiKey = config.model.apiKey;
  if (config.model.model) agentOptions.model = config.model.model;
  if (config.file.agent.max_tool_iterations)
    agentOptions.maxToolIterations = config.file.agent.max_tool_iterations;
  let host: GatewayHost | undefined;
  const storage = await openStateStorage(config);
  // Adapters that keep responses (request/reply APIs) keep them with the rest of the gateway's state.
  const adapters = createAdapters(platforms, (platform) => ({
    openResponseStore: (retention) => storage.responses(platform, retention),
  }));
  const mcp = new McpToolHub({ logger: logger.child({ component: 'mcp' }) });
  const skills = loadSkills(join(config.paths.home, 'skills'), logger.child({ component: 'skills' }));
  const limits = config.file.checkpoints;
  // `/rollback`: snapshots before terminal commands, only when config.yaml turns them on.
  const checkpoints = limits.enabled
    ? createCheckpointStore({
        root: join(config.paths.home, 'checkpoints'),
        maxFileBytes: Math.round(limits.max_file_size_mb * 1024 * 1024),
        maxFiles: limits.max_files,
        maxCheckpoints: limits.max_snapshots,
      })
    : undefined;
  const agent = createAgent({
    ...agentOptions,
    logger: logger.child({ component: 'agent' }),
    toolProviders: [mcp],
    tools: [
      createTerminalTool(checkpoints ? { checkpoints } : {}),
      createCronTool(new CronJobsStore(config.paths.cronDir, storage)),
      createSendMessageTool(
        async (_target, text, call) =>
          host ? sendToTarget(host.runtime, text, call) : { ok: false, detail: 'gateway is starting' },
        {
          platforms: knownPlatforms(),
        },
      ),
      ...platformAgentTools(adapters, (platform) => host?.agentToolRoute(platform)),
      createClarifyTool((req) =>
        host ? askClarify(host.runtime, req) : Promise.resolve({ kind: 'aborted' as const }),
      ),
      ...(skills.length > 0 ? [createSkillTool(skills)] : []),
    ],
  });
  const profiles = Object.fromEntries(
    platforms.map((p) => [p.descriptor.platform, profileFromDescriptor(p.descriptor)]),
  );
  const gateway = new McpGatewayHost(
    { config, logger, agent, adapters, profiles, skills, storage },
    mcp,
    () => mcpServerConfigs(config.file.mcp_servers),
  );
  host = gateway;
  gateway.runtime.commands.register(
    createReloadMcpCommand(async () => {
      // The whole file is validated again, so a typo anywhere is reported instead of half-applied.
      let servers: Record<string, McpServerConfig>;
      try {
        servers = mcpServerConfigs(
          loadConfig({ ...config.env, HERMES_HOME: config.paths.home }).file.mcp_servers,
        );
      } catch (error) {
        throw new Error(`${config.paths.config} cannot be used: ${(error as Error).message}`);
      }
      const summaries = await mcp.connect(servers);
      return summaries.map(describeMcpSummary);
    }),
  );
  gateway.runtime.commands.register(createRollbackCommand({ store: checkpoints, workDir: process.cwd() }));
  const update = createUpdateFeature(gateway.runtime, config, logger.child({ component: 'update' }));
  gateway.runtime.commands.register(update.command);
  gateway.watchers.push(update.watcher);
  for (const skill of skills) {
    // A built-in command keeps its name; the skill is still loadable by the model through skill_view.
    if (gateway.runtime.commands.resolveExact(skill.name))
      logger.warn('skill has the name of a command: /<name> runs the command', { skill: skill.name });
    else gateway.runtime.commands.register(skillCommand(skill));
  }
  if (skills.length > 0) logger.info('skills loaded', { skills: skills.map((s) => s.name).join(', ') });
  return { host, problems: problems.map((p) => `${p.platform}: ${p.message}`) };
}
