export { createWhatsappAdapter, WhatsappAdapter } from './adapter.js';
export {
  configFromEnv,
  DEFAULT_GRAPH_API_BASE,
  DEFAULT_WEBHOOK_PATH,
  parseWhatsappConfig,
  WHATSAPP_ENV,
  type WhatsappConfig,
  type WhatsappConfigInput,
  whatsappConfigSchema,
} from './config.js';
export { CUSTOMER_WINDOW_MS } from './customer-window.js';
export { whatsappDescriptor } from './descriptor.js';
export { formatWhatsappText, toWhatsappText, WHATSAPP_CAPABILITIES, WHATSAPP_TEXT_LIMIT } from './format.js';
export { GRAPH_REENGAGEMENT, WhatsappGraphError } from './graph/graph-errors.js';
export type { DeliveryStatus } from './intake.js';
export { normalizeWhatsappUserId } from './user-id.js';
export { verifyWhatsappSignature, whatsappSignature } from './webhook/signature.js';
