import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRedactingLogger, type LogFields, type Logger } from '@hermes/adapter-core';
import pino from 'pino';

/**
 * The log records who wrote what to the agent, so it is as private as state.db: the directory 0700, the file
 * 0600. Both are tightened on every start too, since files made by older versions were 0644.
 * Returns what could not be tightened (a directory owned by someone else), for a warning.
 */
function prepareLogFile(logFile: string): string[] {
  const problems: string[] = [];
  const dir = dirname(logFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Created here, owner-only, rather than by the async stream, so it exists (with the right mode) from the start.
  closeSync(openSync(logFile, 'a', 0o600));
  for (const [path, mode] of [
    [dir, 0o700],
    [logFile, 0o600],
  ] as const) {
    if (!existsSync(path)) continue;
    try {
      chmodSync(path, mode);
    } catch (err) {
      problems.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return problems;
}

/** pino behind the adapter Logger interface, writing to stdout and `$HERMES_HOME/logs/gateway.log`, redacted. */
export function createGatewayLogger(options: {
  logFile?: string;
  level?: string;
  secrets: Iterable<string | undefined>;
}): { logger: Logger; flush(): void } {
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ fd: 1, sync: true }) }];
  const notTightened = options.logFile ? prepareLogFile(options.logFile) : [];
  if (options.logFile) {
    streams.push({
      stream: pino.destination({ dest: options.logFile, mkdir: true, sync: false, mode: 0o600 }),
    });
  }
  const root = pino(
    { level: options.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream(streams),
  );
  const wrap = (p: pino.Logger): Logger => ({
    debug: (msg, fields?: LogFields) => p.debug(fields ?? {}, msg),
    info: (msg, fields?: LogFields) => p.info(fields ?? {}, msg),
    warn: (msg, fields?: LogFields) => p.warn(fields ?? {}, msg),
    error: (msg, fields?: LogFields) => p.error(fields ?? {}, msg),
    child: (bindings) => wrap(p.child(bindings)),
  });
  const logger = createRedactingLogger(wrap(root), options.secrets);
  for (const problem of notTightened)
    logger.warn('log file permissions not tightened: other users may read the log; fix the owner', {
      problem,
    });
  return { logger, flush: () => root.flush() };
}
