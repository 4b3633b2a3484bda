// Small pieces every adapter that serves HTTP (API server, webhooks, platform webhook modes) needs once.
export {
  type BoundedJsonResult,
  DEFAULT_JSON_MAX_DEPTH,
  jsonDepthExceeds,
  parseJsonBounded,
} from './bounded-json.js';
export { FailedAuthLimiter, type FailedAuthLimiterOptions } from './failed-auth-limiter.js';
export {
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  type HardenServerOptions,
  hardenServer,
  MAX_HEADERS_TIMEOUT_MS,
} from './harden-server.js';
export { type ListenOptions, listenOn, serveForAdapter } from './listen.js';
export { isLoopbackHost } from './loopback-host.js';
export { type BodyReadResult, discardRest, readBody } from './read-body.js';
export { requestPath } from './request-path.js';
export { secretsEqual } from './secrets-equal.js';
export { sendJson } from './send-json.js';
export { closeServer, serverAddress } from './server-lifecycle.js';
