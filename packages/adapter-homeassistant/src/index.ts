export { createHomeAssistantAdapter, HomeAssistantAdapter } from './adapter.js';
export {
  configFromEnv,
  HOME_ASSISTANT_DANGEROUS_DOMAINS,
  HOME_ASSISTANT_ENV,
  HOME_ASSISTANT_PLATFORM,
  type HomeAssistantConfig,
  type HomeAssistantConfigInput,
  homeAssistantConfigSchema,
  parseHomeAssistantConfig,
} from './config.js';
export { homeAssistantDescriptor } from './descriptor.js';
export { HOME_ASSISTANT_CAPABILITIES } from './format.js';
export { HOME_ASSISTANT_EVENTS_CHAT, renderHomeAssistantChange } from './inbound.js';
export { homeAssistantTools } from './tools.js';
