export { createSmsAdapter, SmsAdapter, type SmsAdapterOptions } from './adapter.js';
export {
  configFromEnv,
  parseSmsConfig,
  SMS_ENV,
  SMS_WEBHOOK_PATH,
  type SmsConfig,
  type SmsConfigInput,
  smsConfigSchema,
} from './config.js';
export { smsDescriptor } from './descriptor.js';
export { formatSmsText, SMS_CAPABILITIES } from './format.js';
export { normalizeSmsNumber } from './phone.js';
export type { SmsDeliveryStatus } from './webhook/delivery-status.js';
export { EMPTY_TWIML } from './webhook/twiml.js';
