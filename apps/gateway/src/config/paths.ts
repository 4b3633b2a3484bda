import { statSync } from 'node:fs';
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
  logFile: string;
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
    logFile: join(home, 'logs', 'gateway.log'),
    pairingDir: join(home, 'platforms', 'pairing'),
    cacheDir: join(home, 'cache'),
    cronDir: join(home, 'cron'),
  };
}

/**
 * What is wrong with `$HERMES_HOME` itself, if anything. A home that does not exist yet is fine: the
 * gateway creates it on first start.
 */
export function homeProblem(home: string): string | undefined {
  try {
    if (!statSync(home).isDirectory())
      return 'is a file, not a directory: point it at a directory (or unset HERMES_HOME to use ~/.hermes)';
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR')
      return 'is below a file, not a directory: point it at a directory (or unset HERMES_HOME to use ~/.hermes)';
    return `cannot be read (${code ?? (err as Error).message}): check the permissions of that directory`;
  }
}
