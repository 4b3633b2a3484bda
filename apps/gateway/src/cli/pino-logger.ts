import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRedactingLogger, type LogFields, type Logger } from '@hermes/adapter-core';
import pino from 'pino';

/** pino behind the adapter Logger interface, writing to stdout and `$HERMES_HOME/logs/gateway.log`, redacted. */
export function createGatewayLogger(options: {
  logsDir?: string;
  level?: string;
  secrets: Iterable<string | undefined>;
}): { logger: Logger; flush(): void } {
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ fd: 1, sync: true }) }];
  if (options.logsDir) {
    mkdirSync(options.logsDir, { recursive: true, mode: 0o700 });
    streams.push({
      stream: pino.destination({ dest: join(options.logsDir, 'gateway.log'), mkdir: true, sync: false }),
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
  return { logger: createRedactingLogger(wrap(root), options.secrets), flush: () => root.flush() };
}
