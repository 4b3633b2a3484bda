export { ApiServerAdapter, createApiServerAdapter } from './adapter.js';
export {
  API_SERVER_PLATFORM,
  type ApiServerConfig,
  type ApiServerConfigInput,
  apiServerConfigFromEnv,
  apiServerConfigSchema,
  parseApiServerConfig,
} from './config.js';
export { apiServerDescriptor, isApiServerEnabled } from './descriptor.js';
export type {
  ApiServerChatMessage,
  ApiServerRequestOptions,
  ApiServerToolCall,
} from './server/chat-request.js';
export type { ApiServerToolProgress, ApiServerUsage } from './server/completion-format.js';
export type { ApiServerRequestRaw } from './server/inbound-message.js';
