export {
  createDiscordAdapter,
  DiscordAdapter,
  type DiscordAdapterStats,
  discordCapabilities,
} from './adapter.js';
export {
  type DiscordConfig,
  type DiscordConfigInput,
  discordConfigFromEnv,
  discordConfigSchema,
  parseDiscordConfig,
} from './config.js';
export * from './constants.js';
export { discordDescriptor } from './descriptor.js';
export { isSafeToRetry, toDiscordError } from './errors.js';
export { DISCORD_INTENTS } from './gateway/create-client.js';
export { checkDispatch, type DispatchCheck } from './gateway/dispatch-guard.js';
export { kindOfAttachment } from './inbound/attachments.js';
export { DiscordBotThreads } from './inbound/bot-threads.js';
export {
  type DiscordDropReason,
  type DiscordIntakeDecision,
  type DiscordIntakePolicy,
  type DiscordMessageFacts,
  decideDiscordIntake,
} from './inbound/intake-gate.js';
export { stripBotMentions, textMentionsUser } from './inbound/mentions.js';
export { discordActionRows } from './outbound/components.js';
export { discordTargetChannel, threadName } from './outbound/sender.js';
export { probeDiscord } from './probe.js';
export { type DiscordBot, type DiscordBotOptions, startDiscordBot } from './standalone.js';
export { normalizeDiscordUserId } from './user-id.js';
