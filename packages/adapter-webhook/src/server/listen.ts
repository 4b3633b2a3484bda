import type { Server } from 'node:http';
import { listenOn } from '@hermes/adapter-core';
import { WEBHOOK_PLATFORM } from '../config.js';

/** Resolves once listening; bind failures become AdapterErrors naming WEBHOOK_HOST / WEBHOOK_PORT. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return listenOn(server, host, port, {
    platform: WEBHOOK_PLATFORM,
    hostEnv: 'WEBHOOK_HOST',
    portEnv: 'WEBHOOK_PORT',
  });
}
