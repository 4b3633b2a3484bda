import { runStandaloneBot, type StandaloneBot, type StandaloneBotOptions } from '@hermes/adapter-core';
import { DiscordAdapter } from './adapter.js';
import type { DiscordConfig, DiscordConfigInput } from './config.js';

export type DiscordBotOptions = StandaloneBotOptions;
export type DiscordBot = StandaloneBot<DiscordAdapter>;

/**
 * Runs the adapter on its own, without the Hermes gateway: a small bot loop for scripts and examples.
 * Access control is yours here (the gateway's allowlists and pairing do not apply): check `msg.sender`.
 */
export function startDiscordBot(
  config: DiscordConfigInput | DiscordConfig,
  options: DiscordBotOptions,
): Promise<DiscordBot> {
  return runStandaloneBot(new DiscordAdapter(config), { ...options });
}
