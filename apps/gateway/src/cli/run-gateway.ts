import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from '@hermes/adapter-core';
import { AGENT_SECRET_ENV } from '@hermes/agent';
import { describeLooseMode, looseFileModes, octalMode } from '../config/file-modes.js';
import type { LoadedConfig } from '../config/load.js';
import type { GatewayHost } from '../host/gateway-host.js';
import { resolvePlatforms, secretValues } from '../platforms/catalog.js';
import { isProcessAlive, removeFile } from '../platforms/status-file.js';
import { stateDbErrorFrom } from '../state/db.js';
import { buildGateway } from './build-gateway.js';
import { EXIT_CONFIG, EXIT_RESTART, loadConfigOrExplain } from './load-or-exit.js';
import { consoleLogFormat, createGatewayLogger } from './pino-logger.js';
import { startBanner } from './start-banner.js';

/**
 * Why no platform can serve, one line per problem, or undefined while at least one platform runs or is
 * still being retried. Platforms whose config was refused never got an adapter (`catalogProblems`).
 */
function nothingCanRun(host: GatewayHost, catalogProblems: string[]): string[] | undefined {
  const stopped: string[] = [];
  for (const { platform, stoppedForGood: error } of host.runtime.platformStatuses()) {
    if (!error) return undefined;
    stopped.push(`${platform}: ${error.describe()}`);
  }
  const lines = [...catalogProblems, ...stopped];
  if (lines.length === 0)
    lines.push(
      'no platform is enabled: set the credentials of one (e.g. TELEGRAM_BOT_TOKEN) or API_SERVER_ENABLED=true, or drop "enabled: false" from platforms.api_server in config.yaml',
    );
  return lines;
}

function explainNothingCanRun(lines: string[], logger: Logger): void {
  logger.error('no platform can run, so the gateway stops', { problems: lines });
  console.error('hermes: no platform can run, so the gateway stops. Fix these and start it again:');
  for (const line of lines) console.error(`  - ${line}`);
}

/** A startup failure an operator must fix (state.db unusable): a message, no stack trace. */
function explainStartupError(err: unknown, config: LoadedConfig, logger: Logger): boolean {
  const known = stateDbErrorFrom(err, config.paths.stateDb);
  if (!known) return false;
  logger.error('state.db cannot be used', { path: known.path, code: known.code, reason: known.reason });
  console.error(`hermes: ${known.message}`);
  return true;
}

function ensureHome(config: LoadedConfig): boolean {
  try {
    mkdirSync(config.paths.home, { recursive: true, mode: 0o700 });
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    console.error(
      `hermes: HERMES_HOME=${config.paths.home} cannot be created (${code}): point HERMES_HOME at a directory this user can write`,
    );
    return false;
  }
}

/**
 * `hermes gateway [run]`: foreground; SIGTERM/SIGINT drain running turns (bounded) and exit cleanly.
 * Exits EX_CONFIG (78) without a stack trace when the config, `.env`, `state.db` or every platform's
 * start is wrong in a way only the operator can fix.
 */
export async function runGateway(options: { jsonLogs?: boolean; version?: string } = {}): Promise<number> {
  const config = loadConfigOrExplain((l) => console.error(l));
  if (!config) return EXIT_CONFIG;
  if (!ensureHome(config)) return EXIT_CONFIG;
  if (existsSync(config.paths.pidFile)) {
    const pid = Number(readFileSync(config.paths.pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) {
      console.error(
        `hermes: a gateway is already running for ${config.paths.home} (pid ${pid}). Stop it first, or use another HERMES_HOME.`,
      );
      return 1;
    }
  }
  // Resolved before the logger exists, so the logger knows every secret the enabled platforms read.
  const resolved = await resolvePlatforms(config.env, config.file);
  const secrets = secretValues(config.env, resolved.platforms, AGENT_SECRET_ENV);
  const format = consoleLogFormat({ jsonFlag: options.jsonLogs, env: config.env });
  const { logger, flush } = createGatewayLogger({
    logFile: config.paths.logFile,
    level: config.env.HERMES_LOG_LEVEL ?? 'info',
    secrets,
    console: format,
  });
  // A warning, not a refusal: the credentials are already exposed, and refusing would only add an outage.
  for (const loose of looseFileModes(config.paths, ['env']))
    logger.warn(describeLooseMode(loose), { path: loose.path, mode: octalMode(loose.mode) });
  writeFileSync(config.paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
  const giveUp = (code: number) => {
    removeFile(config.paths.pidFile);
    flush();
    return code;
  };
  let host: GatewayHost;
  let catalogProblems: string[];
  try {
    ({ host, problems: catalogProblems } = await buildGateway(config, logger, resolved));
  } catch (err) {
    if (!explainStartupError(err, config, logger)) throw err;
    return giveUp(EXIT_CONFIG);
  }
  const refuse = async (lines: string[]) => {
    explainNothingCanRun(lines, logger);
    await host.stop().catch(() => undefined);
    return giveUp(EXIT_CONFIG);
  };
  const before = nothingCanRun(host, catalogProblems);
  if (before) return refuse(before);
  let exitCode = 0;
  let stopping: Promise<void> | undefined;
  let stopped: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const stop = (signal: string) => {
    if (stopping) return;
    logger.info('stopping', { signal });
    stopping = host
      .stop()
      .catch((err: unknown) => logger.error('stop failed', { error: (err as Error).message }))
      .finally(() => {
        removeFile(config.paths.pidFile);
        flush();
        stopped();
      });
  };
  // Under a service manager (our units set HERMES_SERVICE; systemd sets INVOCATION_ID), /restart drains and
  // exits 75, which the unit restarts (RestartForceExitStatus=75; launchd's KeepAlive restarts any exit).
  if (config.env.HERMES_SERVICE || config.env.INVOCATION_ID)
    host.onRestartRequest(() => {
      exitCode = EXIT_RESTART;
      stop('/restart');
    });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (reason) =>
    logger.error('unhandled rejection (kept running)', { error: String(reason) }),
  );
  try {
    await host.start();
  } catch (err) {
    if (!explainStartupError(err, config, logger)) throw err;
    await host.stop().catch(() => undefined);
    return giveUp(EXIT_CONFIG);
  }
  // Platforms that failed for good during their first start: no reason to say "running".
  const after = nothingCanRun(host, catalogProblems);
  if (after) return refuse(after);
  const online = host.runtime.platformStatuses();
  logger.info('gateway running', {
    home: config.paths.home,
    platforms: online.map((p) => `${p.platform}:${p.status}`).join(', ') || 'none',
  });
  // For a person at a terminal only: a JSON log stream stays pure JSON.
  if (format === 'pretty')
    console.log(['', ...startBanner({ version: options.version ?? '', config, host }), ''].join('\n'));
  // A platform that was being retried can later fail for good; once all have, nothing can ever serve.
  host.onStatusChange(() => {
    const lines = stopping ? undefined : nothingCanRun(host, catalogProblems);
    if (!lines) return;
    explainNothingCanRun(lines, logger);
    exitCode = EXIT_CONFIG;
    stop('no platform can run');
  });
  // Backoff and watchdog timers are unref'd; this keeps the process up while every platform waits to retry.
  const keepAlive = setInterval(() => {}, 60_000);
  await done;
  clearInterval(keepAlive);
  return exitCode;
}
