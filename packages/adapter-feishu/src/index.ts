export { createFeishuAdapter, FeishuAdapter, type FeishuAdapterStats } from './adapter.js';
export {
  configFromEnv,
  FEISHU_ENV,
  type FeishuConfig,
  type FeishuConfigInput,
  feishuConfigSchema,
  parseFeishuConfig,
} from './config.js';
export { FEISHU_CODES, FEISHU_DOMAINS, FEISHU_MAX_MESSAGE_LENGTH, FEISHU_PLATFORM } from './constants.js';
export { feishuDescriptor, normalizeFeishuUserId } from './descriptor.js';
export { FEISHU_CAPABILITIES, feishuCapabilities, feishuTextBody } from './format.js';
export { type FeishuInbound, mapFeishuInbound } from './inbound.js';
export { FeishuApiError } from './rest-errors.js';
export { decryptFeishuEvent, encryptFeishuEvent, feishuSignature } from './webhook-crypto.js';
