import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRedactingLogger, type LogFields, type Logger } from '@hermes/adapter-core';
import pino from 'pino';
import pinoPretty from 'pino-pretty';

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
export type ConsoleLogFormat = 'pretty' | 'json';

/** Human lines for a person at a terminal; JSON for log shippers, pipes and `--json-logs`. */
export function consoleLogFormat(o: {
  jsonFlag?: boolean;
  env: Record<string, string | undefined>;
}): ConsoleLogFormat {
  if (o.jsonFlag || o.env['HERMES_LOG_FORMAT']?.toLowerCase() === 'json') return 'json';
  if (o.env['HERMES_LOG_FORMAT']?.toLowerCase() === 'pretty') return 'pretty';
  return process.stdout.isTTY ? 'pretty' : 'json';
}

function consoleStream(format: ConsoleLogFormat): pino.DestinationStream {
  if (format === 'json') return pino.destination({ fd: 1, sync: true });
  return pinoPretty({
    destination: 1,
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    singleLine: true,
  });
}

/**
 * A field or binding that repeats a binding of the logger (`platform`, bound by the host and again by the
 * adapter, and passed in fields too) is written once: pino would print the key twice in one JSON object.
 */
function withoutBound(fields: LogFields | undefined, bound: ReadonlySet<string>): LogFields {
  if (!fields || bound.size === 0) return fields ?? {};
  let out: LogFields | undefined;
  for (const key of Object.keys(fields)) {
    if (!bound.has(key)) continue;
    out ??= { ...fields };
    delete out[key];
  }
  return out ?? fields;
}

export function createGatewayLogger(options: {
  logFile?: string;
  level?: string;
  secrets: Iterable<string | undefined>;
  console?: ConsoleLogFormat;
}): { logger: Logger; flush(): void } {
  const asked = options.level?.trim().toLowerCase() || 'info';
  const known = asked in pino.levels.values || asked === 'silent';
  const level = (known ? asked : 'info') as pino.Level;
  // Each stream carries the level too: a multistream entry without one stays at info whatever the root says.
  const streams: pino.StreamEntry[] = [{ level, stream: consoleStream(options.console ?? 'json') }];
  const notTightened = options.logFile ? prepareLogFile(options.logFile) : [];
  if (options.logFile) {
    streams.push({
      level,
      stream: pino.destination({ dest: options.logFile, mkdir: true, sync: false, mode: 0o600 }),
    });
  }
  const root = pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream(streams),
  );
  const wrap = (p: pino.Logger, bound: ReadonlySet<string>): Logger => ({
    debug: (msg, fields?: LogFields) => p.debug(withoutBound(fields, bound), msg),
    info: (msg, fields?: LogFields) => p.info(withoutBound(fields, bound), msg),
    warn: (msg, fields?: LogFields) => p.warn(withoutBound(fields, bound), msg),
    error: (msg, fields?: LogFields) => p.error(withoutBound(fields, bound), msg),
    // An adapter binds `platform` again on the child the host gave it: pino would print it twice.
    child: (bindings) => {
      const fresh = withoutBound(bindings, bound);
      return wrap(p.child(fresh), new Set([...bound, ...Object.keys(fresh)]));
    },
    isLevelEnabled: (l) => p.isLevelEnabled(l),
  });
  const logger = createRedactingLogger(wrap(root, new Set()), options.secrets);
  if (!known)
    logger.warn(
      `HERMES_LOG_LEVEL=${asked} is not a log level; logging at info. Use one of trace, debug, info, warn, error, fatal, silent.`,
    );
  for (const problem of notTightened)
    logger.warn('log file permissions not tightened: other users may read the log; fix the owner', {
      problem,
    });
  return { logger, flush: () => root.flush() };
}
