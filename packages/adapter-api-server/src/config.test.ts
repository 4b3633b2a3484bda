import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import {
  apiServerConfigFromEnv,
  apiServerDescriptor,
  isApiServerEnabled,
  parseApiServerConfig,
} from './index.js';

describe('apiServerConfigFromEnv', () => {
  it('uses the defaults of the original: 127.0.0.1:8642, model hermes-agent, 10 concurrent runs', () => {
    expect(apiServerConfigFromEnv({})).toMatchObject({
      host: '127.0.0.1',
      port: 8642,
      modelName: 'hermes-agent',
      maxConcurrentRuns: 10,
      corsOrigins: [],
    });
    expect(apiServerConfigFromEnv({}).key).toBeUndefined();
  });

  it('reads the API_SERVER_* variables', () => {
    const config = apiServerConfigFromEnv({
      API_SERVER_HOST: '0.0.0.0',
      API_SERVER_PORT: '9000',
      API_SERVER_KEY: 'a-long-enough-key',
      API_SERVER_CORS_ORIGINS: 'https://a.example, https://b.example',
      API_SERVER_MODEL_NAME: 'my-agent',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      key: 'a-long-enough-key',
      corsOrigins: ['https://a.example', 'https://b.example'],
      modelName: 'my-agent',
    });
  });

  it('reads platforms.api_server from config.yaml (top level or extra), environment wins', () => {
    const file = {
      enabled: true,
      host: '127.0.0.2',
      port: 8000,
      extra: { max_concurrent_runs: 3, run_timeout_seconds: 30, cors_origins: 'https://c.example' },
    };
    const config = apiServerConfigFromEnv({ API_SERVER_PORT: '8100' }, file);
    expect(config).toMatchObject({
      host: '127.0.0.2',
      port: 8100,
      maxConcurrentRuns: 3,
      runTimeoutMs: 30_000,
      corsOrigins: ['https://c.example'],
    });
  });

  it('names an unknown config.yaml key', () => {
    const error = (() => {
      try {
        apiServerConfigFromEnv({}, { max_concurent_runs: 3 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('config_invalid');
    expect((error as AdapterError).message).toContain('max_concurent_runs');
  });

  it('names a bad value', () => {
    expect(() => apiServerConfigFromEnv({ API_SERVER_PORT: 'eighty' })).toThrow(/API_SERVER_PORT/);
    expect(() => apiServerConfigFromEnv({ API_SERVER_PORT: '70000' })).toThrow(/port/);
    expect(() => apiServerConfigFromEnv({ API_SERVER_KEY: 'short' })).toThrow(
      /API_SERVER_KEY must be at least 8/,
    );
    expect(() => parseApiServerConfig({ maxConcurrentRuns: 0 })).toThrow(/maxConcurrentRuns/);
  });
});

describe('enablement and descriptor', () => {
  it('is enabled by API_SERVER_ENABLED or API_SERVER_KEY; enabled: false in config.yaml wins', () => {
    expect(isApiServerEnabled({})).toBe(false);
    expect(isApiServerEnabled({ API_SERVER_ENABLED: 'true' })).toBe(true);
    expect(isApiServerEnabled({ API_SERVER_KEY: 'a-long-enough-key' })).toBe(true);
    expect(isApiServerEnabled({ API_SERVER_KEY: 'a-long-enough-key', API_SERVER_ENABLED: 'false' })).toBe(
      false,
    );
    expect(isApiServerEnabled({ API_SERVER_KEY: 'a-long-enough-key' }, { enabled: false })).toBe(false);
    expect(isApiServerEnabled({}, { enabled: true })).toBe(true);
  });

  it('describes the platform for the catalog and builds an adapter', () => {
    expect(apiServerDescriptor.platform).toBe('api_server');
    expect(apiServerDescriptor.secretEnv).toEqual(['API_SERVER_KEY']);
    expect(apiServerDescriptor.setupHelp).toContain('API_SERVER_KEY');
    const config = apiServerDescriptor.configFromEnv({ API_SERVER_PORT: '0' });
    expect(apiServerDescriptor.configSchema.parse(config)).toEqual(config);
    const adapter = apiServerDescriptor.createAdapter(config);
    expect(adapter.platform).toBe('api_server');
    expect(adapter.capabilities.edit).toBe(true);
  });
});
