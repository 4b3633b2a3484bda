import type { Server } from 'node:http';
import { AdapterError, isLoopbackHost, listenOn } from '@hermes/adapter-core';
import { API_SERVER_PLATFORM, type ApiServerConfig } from '../config.js';

/** Refuses to serve an unauthenticated agent to the network: a non-loopback host needs a key. */
export function assertBindAllowed(config: Pick<ApiServerConfig, 'host' | 'key'>): void {
  if (config.key !== undefined || isLoopbackHost(config.host)) return;
  throw new AdapterError(
    'config_invalid',
    `API_SERVER_HOST is ${config.host}, which is not a loopback address, and API_SERVER_KEY is not set: ` +
      'refusing to expose the agent to the network without authentication.',
    {
      platform: API_SERVER_PLATFORM,
      retryable: false,
      fix: 'Set API_SERVER_KEY to a long random secret (for example `openssl rand -hex 32`), or set API_SERVER_HOST=127.0.0.1.',
    },
  );
}

/** Resolves once listening; bind failures become AdapterErrors naming API_SERVER_HOST / API_SERVER_PORT. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return listenOn(server, host, port, {
    platform: API_SERVER_PLATFORM,
    hostEnv: 'API_SERVER_HOST',
    portEnv: 'API_SERVER_PORT',
  });
}
