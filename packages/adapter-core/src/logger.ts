export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** The logging surface adapters see. The host backs it with pino; tests use `createMemoryLogger`. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
  /**
   * False when lines of `level` are dropped. Optional: wrappers that do work per line (redaction) skip it
   * for dropped levels, so debug lines cost nothing on the hot path at the default level.
   */
  isLevelEnabled?(level: LogLevel): boolean;
}

export interface LogEntry {
  level: LogLevel;
  msg: string;
  fields: LogFields;
  time: number;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function makeLogger(write: (entry: LogEntry) => void, bindings: LogFields, min: LogLevel): Logger {
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[min]) return;
    write({ level, msg, fields: { ...bindings, ...fields }, time: Date.now() });
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (more) => makeLogger(write, { ...bindings, ...more }, min),
  };
}

export const silentLogger: Logger = makeLogger(() => {}, {}, 'error');

/** One JSON line per entry on stderr: good enough for a standalone bot that has no logger of its own. */
export function createConsoleLogger(options: { level?: LogLevel; bindings?: LogFields } = {}): Logger {
  return makeLogger(
    (entry) => {
      process.stderr.write(
        `${JSON.stringify({ level: entry.level, time: entry.time, msg: entry.msg, ...entry.fields })}\n`,
      );
    },
    options.bindings ?? {},
    options.level ?? 'info',
  );
}

export interface MemoryLogger extends Logger {
  readonly entries: LogEntry[];
  /** Entries at this level or above whose message or fields contain the text. */
  find(level: LogLevel, text?: string): LogEntry[];
}

/** Records every entry; tests assert on what was logged (errors for malformed frames, no secrets). */
export function createMemoryLogger(): MemoryLogger {
  const entries: LogEntry[] = [];
  const logger = makeLogger((e) => entries.push(e), {}, 'debug');
  return Object.assign(logger, {
    entries,
    find(level: LogLevel, text?: string) {
      return entries.filter(
        (e) =>
          LEVEL_ORDER[e.level] >= LEVEL_ORDER[level] &&
          (text === undefined || e.msg.includes(text) || JSON.stringify(e.fields).includes(text)),
      );
    },
  });
}
