export { createEmailAdapter, EmailAdapter } from './adapter.js';
export {
  configFromEnv,
  defaultSecurityForPort,
  EMAIL_ENV,
  type EmailConfig,
  type EmailConfigInput,
  type EmailSecurity,
  emailConfigSchema,
  parseEmailConfig,
} from './config.js';
export { emailDescriptor, normalizeEmailUserId } from './descriptor.js';
export { EMAIL_CAPABILITIES } from './format.js';
export { loopSafetyReason } from './loop-safety.js';
export { trimQuotedHistory } from './quote-trim.js';
