export { checkDotEnv } from './dotenv-check.js';
export { ConfigError, closestKey, HomeError } from './errors.js';
export { describeLooseMode, type LooseFileMode, looseFileModes } from './file-modes.js';
export { type LoadedConfig, loadConfig, type ModelSettings } from './load.js';
export { type HermesPaths, hermesPaths, homeProblem } from './paths.js';
export {
  defaultResetPolicy,
  type GatewayFileConfig,
  gatewayConfigSchema,
  type ResetPolicyConfig,
} from './schema.js';
