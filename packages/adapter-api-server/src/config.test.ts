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
      maxBodyBytes: 1024 * 1024,
      corsOrigins: [],
      allowedHosts: [],
      allowTerminalWithoutKey: false,
      modelAliases: [],
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
      API_SERVER_ALLOWED_HOSTS: 'api.example.com, [::1], Proxy.Example.',
      API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY: 'true',
      API_SERVER_MODEL_ALIASES: 'gpt-4o, gpt-4o-mini',
    });
    expect(config).toMatchObject({
      allowedHosts: ['api.example.com', '::1', 'proxy.example'],
      allowTerminalWithoutKey: true,
      modelAliases: ['gpt-4o', 'gpt-4o-mini'],
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
      allowed_hosts: ['hermes.lan'],
      allow_terminal_without_key: true,
      model_aliases: 'gpt-4o',
    };
    const config = apiServerConfigFromEnv({ API_SERVER_PORT: '8100' }, file);
    expect(config).toMatchObject({
      host: '127.0.0.2',
      port: 8100,
      maxConcurrentRuns: 3,
      runTimeoutMs: 30_000,
      corsOrigins: ['https://c.example'],
      allowedHosts: ['hermes.lan'],
      allowTerminalWithoutKey: true,
      modelAliases: ['gpt-4o'],
    });
    // The environment wins over the file, for the lists and the flag too.
    expect(
      apiServerConfigFromEnv(
        { API_SERVER_ALLOWED_HOSTS: 'env.lan', API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY: 'false' },
        file,
      ),
    ).toMatchObject({ allowedHosts: ['env.lan'], allowTerminalWithoutKey: false });
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
    for (const bad of ['https://api.example.com', 'api.example.com:443', 'host/path', 'a b']) {
      expect(() => apiServerConfigFromEnv({ API_SERVER_ALLOWED_HOSTS: bad }), bad).toThrow(
        /API_SERVER_ALLOWED_HOSTS entries are host names/,
      );
    }
    // A typo must not silently leave a keyless terminal on or off.
    expect(() => apiServerConfigFromEnv({ API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY: 'yess' })).toThrow(
      /API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY must be true or false/,
    );
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
    expect(apiServerDescriptor.kind).toBe('request-reply');
    expect(apiServerDescriptor.optionalEnv).toEqual(
      expect.arrayContaining([
        'API_SERVER_ALLOWED_HOSTS',
        'API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY',
        'API_SERVER_MODEL_ALIASES',
      ]),
    );
    expect(apiServerDescriptor.secretEnv).toEqual(['API_SERVER_KEY']);
    expect(apiServerDescriptor.setupHelp).toContain('API_SERVER_KEY');
    const config = apiServerDescriptor.configFromEnv({ API_SERVER_PORT: '0' });
    expect(apiServerDescriptor.configSchema.parse(config)).toEqual(config);
    const adapter = apiServerDescriptor.createAdapter(config);
    expect(adapter.platform).toBe('api_server');
    expect(adapter.capabilities.edit).toBe(true);
    expect(adapter.capabilities.requestReply).toBe(true);
  });
});
