export { abortableSleep } from './abortable-sleep.js';
export {
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY_BACKOFF,
  type RetryOptions,
  withRetry,
} from './retry.js';
export { createSendPacer, type RateLimit, type SendPacer, type SendPacerOptions } from './send-pacer.js';
export { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
