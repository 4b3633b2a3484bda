export { startFakeServer } from './fake-server.js';
export { respondJson, respondRaw } from './respond.js';
export type {
  AppliedFault,
  FakeServer,
  FakeServerOptions,
  Fault,
  FaultInjector,
  RecordedFrame,
  RecordedRequest,
  RequestMatcher,
  RouteHandler,
  WebSocketHandler,
} from './types.js';
