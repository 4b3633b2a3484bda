export { createSlackAdapter, SlackAdapter, type SlackAdapterStats, slackCapabilities } from './adapter.js';
export {
  parseSlackConfig,
  type SlackConfig,
  type SlackConfigInput,
  slackConfigFromEnv,
  slackConfigSchema,
} from './config.js';
export {
  SLACK_DEFAULT_API_URL,
  SLACK_DEFAULT_CHUNK_LENGTH,
  SLACK_HARD_MESSAGE_LIMIT,
  SLACK_PLATFORM,
} from './constants.js';
export { normalizeSlackUserId, slackDescriptor } from './descriptor.js';
export { slackEmojiName } from './emoji.js';
export { slackErrorToAdapterError } from './errors.js';
export type { SlackIdentity, SlackInboundDecision, SlackSkipReason } from './inbound.js';
export { cleanSlackText, threadCommandAlias } from './inbound-text.js';
export type { SlackIntakeStats } from './intake.js';
export { SlackThreadParticipation } from './participation.js';
export { type SlackBot, type SlackBotOptions, startSlackBot } from './standalone.js';
