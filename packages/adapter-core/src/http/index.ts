// Small pieces every adapter that serves HTTP (API server, webhooks, platform webhook modes) needs once.
export { type ListenOptions, listenOn, serveForAdapter } from './listen.js';
export { isLoopbackHost } from './loopback-host.js';
export { type BodyReadResult, discardRest, readBody } from './read-body.js';
export { secretsEqual } from './secrets-equal.js';
export { sendJson } from './send-json.js';
export { closeServer, hardenServer, serverAddress } from './server-lifecycle.js';
