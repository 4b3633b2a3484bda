export { expiredReason, type ResetReason, resolveResetPolicy } from './reset-policy.js';
export { type SessionKeyOptions, sessionKeyFor } from './session-key.js';
