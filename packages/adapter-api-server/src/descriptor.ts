import { type EnvLike, envFlag, type PlatformDescriptor } from '@hermes/adapter-core';
import { createApiServerAdapter } from './adapter.js';
import {
  API_SERVER_PLATFORM,
  type ApiServerConfig,
  apiServerConfigFromEnv,
  apiServerConfigSchema,
} from './config.js';
import { responseStoreFromRecords } from './responses/response-store.js';

/**
 * The original enables the API server with API_SERVER_ENABLED=true or by setting API_SERVER_KEY, and
 * an explicit `enabled: false` in config.yaml wins over both. The descriptor's `requiredEnv` can only
 * say "all of these", so the catalog should ask this function.
 */
export function isApiServerEnabled(env: EnvLike, fileConfig?: Record<string, unknown>): boolean {
  if (fileConfig?.['enabled'] === false) return false;
  if (fileConfig?.['enabled'] === true) return true;
  if (env['API_SERVER_ENABLED'] !== undefined && env['API_SERVER_ENABLED'] !== '') {
    return envFlag(env, 'API_SERVER_ENABLED');
  }
  return (env['API_SERVER_KEY'] ?? '').trim() !== '';
}

export const apiServerDescriptor: PlatformDescriptor<ApiServerConfig> = {
  platform: API_SERVER_PLATFORM,
  label: 'API server (OpenAI-compatible)',
  kind: 'request-reply',
  // Inbound HTTP: every replica serves it behind a load balancer.
  connectionScope: 'shared',
  requiredEnv: ['API_SERVER_ENABLED'],
  optionalEnv: [
    'API_SERVER_KEY',
    'API_SERVER_HOST',
    'API_SERVER_PORT',
    'API_SERVER_CORS_ORIGINS',
    'API_SERVER_ALLOWED_HOSTS',
    'API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY',
    'API_SERVER_MODEL_NAME',
    'API_SERVER_MODEL_ALIASES',
    'API_SERVER_RESPONSES_MAX_STORED',
    'API_SERVER_RESPONSES_MAX_AGE_DAYS',
  ],
  secretEnv: ['API_SERVER_KEY'],
  setupHelp:
    'Set API_SERVER_ENABLED=true (or API_SERVER_KEY) to serve an OpenAI-compatible API on 127.0.0.1:8642. ' +
    'Clients call POST /v1/chat/completions with Authorization: Bearer $API_SERVER_KEY. To listen on another ' +
    'address set API_SERVER_HOST and API_SERVER_PORT; any non-loopback host requires API_SERVER_KEY ' +
    '(generate one with `openssl rand -hex 32`). Without a key the agent runs without its terminal tool. ' +
    'Browser apps need their origin in API_SERVER_CORS_ORIGINS; a proxy or tunnel name in API_SERVER_ALLOWED_HOSTS.',
  configSchema: apiServerConfigSchema,
  configFromEnv: apiServerConfigFromEnv,
  // A host that keeps responses durably (the gateway: state.db) gets them back after a restart.
  createAdapter: (config, services) => {
    const retention = { maxResponses: config.maxStoredResponses, maxAgeMs: config.storedResponseMaxAgeMs };
    const records = services?.openResponseStore?.(retention);
    return createApiServerAdapter(
      config,
      records === undefined ? {} : { responseStore: responseStoreFromRecords(records) },
    );
  },
};
