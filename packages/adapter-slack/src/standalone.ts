import { runStandaloneBot, type StandaloneBot, type StandaloneBotOptions } from '@hermes/adapter-core';
import { SlackAdapter } from './adapter.js';
import type { SlackConfig, SlackConfigInput } from './config.js';

export type SlackBotOptions = StandaloneBotOptions;
export type SlackBot = StandaloneBot<SlackAdapter>;

/**
 * Runs the adapter on its own, without the Hermes gateway: a small bot loop for scripts and examples.
 * Access control is yours here (the gateway's allowlists and pairing do not apply): check `msg.sender`.
 */
export function startSlackBot(
  config: SlackConfigInput | SlackConfig,
  options: SlackBotOptions,
): Promise<SlackBot> {
  return runStandaloneBot(new SlackAdapter(config), { ...options, quoteReplies: false });
}
