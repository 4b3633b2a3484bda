export {
  type BackoffPolicy,
  backoffDelay,
  DEFAULT_JITTER,
  validateBackoffPolicy,
  WECOM_RECONNECT_BACKOFF,
} from './backoff.js';
export type {
  ConnectionDrop,
  ConnectionSupervisorOptions,
  HeartbeatOptions,
  SupervisedConnection,
} from './supervised-connection.js';
export { ConnectionSupervisor, isFatalConnectionError } from './supervisor.js';
