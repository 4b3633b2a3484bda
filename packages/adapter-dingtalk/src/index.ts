export { createDingtalkGate, type DingtalkGate, type DingtalkGateDecision } from './access.js';
export { createDingtalkAdapter, DingtalkAdapter, type DingtalkAdapterStats } from './adapter.js';
export {
  configFromEnv,
  DINGTALK_ENV,
  type DingtalkConfig,
  type DingtalkConfigInput,
  dingtalkConfigSchema,
  parseDingtalkConfig,
} from './config.js';
export {
  DINGTALK_DEFAULT_API_BASE,
  DINGTALK_MAX_MESSAGE_LENGTH,
  DINGTALK_PLATFORM,
  DINGTALK_ROBOT_TOPIC,
} from './constants.js';
export { dingtalkDescriptor } from './descriptor.js';
export { DINGTALK_CAPABILITIES } from './format.js';
export { type DingtalkInbound, type DingtalkInboundMeta, mapDingtalkInbound } from './inbound.js';
export type { DingtalkSendStats } from './outbound.js';
export { checkDingtalkWebhookUrl } from './session-webhooks.js';
