import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isProcessAlive, removeFile } from '../host/status-file.js';
import { buildGateway } from './build-gateway.js';
import { EXIT_CONFIG, loadConfigOrExplain } from './load-or-exit.js';
import { createGatewayLogger } from './pino-logger.js';

/** `hermes gateway [run]`: foreground; SIGTERM/SIGINT drain running turns (bounded) and exit cleanly. */
export async function runGateway(): Promise<number> {
  const config = loadConfigOrExplain((l) => console.error(l));
  if (!config) return EXIT_CONFIG;
  mkdirSync(config.paths.home, { recursive: true, mode: 0o700 });
  if (existsSync(config.paths.pidFile)) {
    const pid = Number(readFileSync(config.paths.pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) {
      console.error(
        `hermes: a gateway is already running for ${config.paths.home} (pid ${pid}). Stop it first, or use another HERMES_HOME.`,
      );
      return 1;
    }
  }
  const secrets = Object.entries(config.env)
    .filter(([k]) => /TOKEN|SECRET|KEY|PASSWORD/.test(k))
    .map(([, v]) => v);
  const { logger, flush } = createGatewayLogger({
    logsDir: config.paths.logsDir,
    level: config.env.HERMES_LOG_LEVEL ?? 'info',
    secrets,
  });
  writeFileSync(config.paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
  const { host } = await buildGateway(config, logger);
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    if (stopping) return;
    logger.info('stopping', { signal });
    stopping = host
      .stop()
      .catch((err: unknown) => logger.error('stop failed', { error: (err as Error).message }))
      .finally(() => {
        removeFile(config.paths.pidFile);
        flush();
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (reason) =>
    logger.error('unhandled rejection (kept running)', { error: String(reason) }),
  );
  await host.start();
  const online = host.runtime.platformStatuses();
  logger.info('gateway running', {
    home: config.paths.home,
    platforms: online.map((p) => `${p.platform}:${p.status}`).join(', ') || 'none',
  });
  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (stopping) {
        clearInterval(wait);
        void stopping.then(resolve);
      }
    }, 100);
  });
  return 0;
}
