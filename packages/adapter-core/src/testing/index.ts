// Test support for adapters and servers built on core, exported as `@hermes/adapter-core/testing` so the
// testkit and core's own tests share one copy. Nothing here is used at run time.
export {
  destroyRawSockets,
  openRawSocket,
  parseRawHttpResponse,
  type RawHttpResponse,
  type RawSocketOptions,
  readUntilClosed,
  requestOnSocket,
  sendRawHttp,
  serverConnections,
  socketReceives,
} from './raw-http.js';
