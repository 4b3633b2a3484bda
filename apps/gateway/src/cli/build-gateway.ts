import type { Logger } from '@hermes/adapter-core';
import { agentOptionsFromEnv, createAgent, createSendMessageTool, createTerminalTool } from '@hermes/agent';
import type { LoadedConfig } from '../config/load.js';
import { createCronTool } from '../cron/cron-tool.js';
import { CronJobsStore } from '../cron/jobs-store.js';
import { GatewayHost } from '../host/gateway-host.js';
import { sendToTarget } from '../outbound/send-to-target.js';
import {
  createAdapters,
  knownPlatforms,
  type ResolvedPlatforms,
  resolvePlatforms,
} from '../platforms/catalog.js';
import { profileFromDescriptor } from '../platforms/platform-profile.js';
import { platformAgentTools } from '../platforms/platform-tools.js';

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
  const adapters = createAdapters(platforms);
  const agent = createAgent({
    ...agentOptions,
    logger: logger.child({ component: 'agent' }),
    tools: [
      createTerminalTool(),
      createCronTool(new CronJobsStore(config.paths.cronDir)),
      createSendMessageTool(
        async (_target, text, call) =>
          host ? sendToTarget(host.runtime, text, call) : { ok: false, detail: 'gateway is starting' },
        {
          platforms: knownPlatforms(),
        },
      ),
      ...platformAgentTools(adapters),
    ],
  });
  const profiles = Object.fromEntries(
    platforms.map((p) => [p.descriptor.platform, profileFromDescriptor(p.descriptor)]),
  );
  host = new GatewayHost({ config, logger, agent, adapters, profiles });
  return { host, problems: problems.map((p) => `${p.platform}: ${p.message}`) };
}
