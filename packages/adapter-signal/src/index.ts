export { createSignalAdapter, SignalAdapter, type SignalAdapterStats } from './adapter.js';
export {
  configFromEnv,
  parseSignalConfig,
  SIGNAL_ENV,
  type SignalConfig,
  type SignalConfigInput,
  signalConfigSchema,
} from './config.js';
export { signalDescriptor } from './descriptor.js';
export { formatSignalText, SIGNAL_CAPABILITIES, type SignalTextChunk } from './format.js';
export { formatSignalMessageId, parseSignalMessageId, type SignalMessageRef } from './message-id.js';
export { normalizeSignalUserId } from './user-id.js';
