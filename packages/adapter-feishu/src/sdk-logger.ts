import type { Logger } from '@hermes/adapter-core';

/** The logger shape the Lark SDK takes. */
export interface LarkLoggerLike {
  error(...msg: unknown[]): void;
  warn(...msg: unknown[]): void;
  info(...msg: unknown[]): void;
  debug(...msg: unknown[]): void;
  trace(...msg: unknown[]): void;
}

const MAX_LINE = 300;

/**
 * Bridges the SDK's log calls into ours. Only string arguments pass: the SDK also logs whole axios errors,
 * whose `config.data` is the message body, and its debug lines print event payloads. Those never reach the
 * log (no request bodies in logs); SDK debug/trace lines are dropped for the same reason.
 */
export function larkLoggerFor(logger: Logger): LarkLoggerLike {
  const line = (msg: unknown[]): string | undefined => {
    // The SDK's LoggerProxy hands its arguments over as one array.
    const text = msg
      .flat()
      .filter((m): m is string => typeof m === 'string')
      .join(' ');
    if (text === '') return undefined;
    return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
  };
  return {
    error: (...msg) => {
      const text = line(msg);
      if (text) logger.error(`feishu sdk: ${text}`);
    },
    warn: (...msg) => {
      const text = line(msg);
      if (text) logger.warn(`feishu sdk: ${text}`);
    },
    info: () => {},
    debug: () => {},
    trace: () => {},
  };
}
