import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EnvLike } from '@hermes/adapter-core';

/** The `$HERMES_HOME` layout of the Python gateway (spec 1.1), so an existing ~/.hermes keeps working. */
export interface HermesPaths {
  home: string;
  env: string;
  config: string;
  stateDb: string;
  pidFile: string;
  statusFile: string;
  logsDir: string;
  pairingDir: string;
  cacheDir: string;
  cronDir: string;
}

export function hermesPaths(env: EnvLike): HermesPaths {
  const home = env.HERMES_HOME?.trim() || join(homedir(), '.hermes');
  return {
    home,
    env: join(home, '.env'),
    config: join(home, 'config.yaml'),
    stateDb: join(home, 'state.db'),
    pidFile: join(home, 'gateway.pid'),
    statusFile: join(home, 'gateway_state.json'),
    logsDir: join(home, 'logs'),
    pairingDir: join(home, 'platforms', 'pairing'),
    cacheDir: join(home, 'cache'),
    cronDir: join(home, 'cron'),
  };
}
