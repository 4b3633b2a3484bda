export { buildGateway } from './cli/build-gateway.js';
export { type LoadedConfig, loadConfig } from './config/index.js';
export { GatewayHost, type GatewayHostOptions } from './host/gateway-host.js';
export type { HostRuntime, TurnAgent } from './host/runtime.js';
export { openStateDb, SessionStore } from './state/index.js';
export { openStateStorage } from './state/open-storage.js';
