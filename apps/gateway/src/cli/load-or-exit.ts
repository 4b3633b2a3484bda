import { type LoadedConfig, loadConfig } from '../config/load.js';

/** EX_CONFIG: systemd does not restart a gateway whose config is wrong (spec 1.3). */
export const EXIT_CONFIG = 78;
/** `/restart` under a service manager: the unit starts the gateway again (spec 5.7). */
export const EXIT_RESTART = 75;

export function loadConfigOrExplain(print: (line: string) => void): LoadedConfig | undefined {
  try {
    return loadConfig(process.env);
  } catch (err) {
    const errors = err instanceof AggregateError ? err.errors : [err];
    print(`hermes: the configuration has ${errors.length} problem(s):`);
    for (const e of errors) print(`  - ${(e as Error).message}`);
    return undefined;
  }
}
