export { ConfigError, closestKey } from './errors.js';
export { type LoadedConfig, loadConfig, type ModelSettings } from './load.js';
export { type HermesPaths, hermesPaths } from './paths.js';
export {
  defaultResetPolicy,
  type GatewayFileConfig,
  gatewayConfigSchema,
  type ResetPolicyConfig,
} from './schema.js';
