import { runStandaloneBot, type StandaloneBot, type StandaloneBotOptions } from '@hermes/adapter-core';
import { TelegramAdapter } from './adapter.js';
import type { TelegramConfig, TelegramConfigInput } from './config.js';

export type TelegramBotOptions = StandaloneBotOptions;
export type TelegramBot = StandaloneBot<TelegramAdapter>;

/**
 * Runs the adapter on its own, without the Hermes gateway: a small bot loop for scripts and examples.
 * Access control is yours here (the gateway's allowlists and pairing do not apply): check `msg.sender`.
 */
export function startTelegramBot(
  config: TelegramConfigInput | TelegramConfig,
  options: TelegramBotOptions,
): Promise<TelegramBot> {
  return runStandaloneBot(new TelegramAdapter(config), { ...options });
}
