export { ApiServerAdapter, type ApiServerAdapterOptions, createApiServerAdapter } from './adapter.js';
export {
  API_SERVER_PLATFORM,
  type ApiServerConfig,
  type ApiServerConfigInput,
  apiServerConfigFromEnv,
  apiServerConfigSchema,
  parseApiServerConfig,
} from './config.js';
export { apiServerDescriptor, isApiServerEnabled } from './descriptor.js';
export {
  type ApiServerResponseStore,
  type ApiServerStoredResponse,
  DEFAULT_RESPONSE_RETENTION,
  InMemoryResponseStore,
  responseScope,
  responseStoreFromRecords,
} from './responses/response-store.js';
export type {
  OutputMessage as ApiServerOutputMessage,
  OutputText as ApiServerOutputText,
  ResponseObject as ApiServerResponseObject,
} from './responses/responses-format.js';
export type {
  ApiServerChatMessage,
  ApiServerRequestOptions,
  ApiServerToolCall,
} from './server/chat-request.js';
export type { ApiServerToolProgress, ApiServerUsage } from './server/completion-format.js';
export type { ApiServerRequestRaw } from './server/inbound-message.js';
