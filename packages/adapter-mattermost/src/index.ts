export { MATTERMOST_ACTIONS_PATH } from './actions.js';
export { createMattermostAdapter, MattermostAdapter } from './adapter.js';
export {
  configFromEnv,
  MATTERMOST_ENV,
  type MattermostConfig,
  type MattermostConfigInput,
  mattermostConfigSchema,
  parseMattermostConfig,
} from './config.js';
export { mattermostDescriptor, normalizeMattermostUserId } from './descriptor.js';
export { mattermostEmojiName } from './emoji.js';
export { MATTERMOST_CAPABILITIES, mattermostCapabilities } from './format.js';
export {
  type MattermostInbound,
  type MattermostPayload,
  mapMattermostInbound,
  stripMattermostMention,
} from './inbound.js';
