import type { LogFields, Logger, LogLevel } from './logger.js';

/**
 * Token shapes of the platforms we speak to. Anything matching is masked even if nobody registered it
 * as a secret, because a token pasted into an error message is the usual way secrets reach logs.
 */
const TOKEN_PATTERNS: RegExp[] = [
  /\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g, // Telegram bot token
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack bot/user tokens
  /\bxapp-[A-Za-z0-9-]{10,}/g, // Slack app-level token
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI-style API keys
  /\b[MN][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}/g, // Discord bot token
  /((?:Bearer|Bot|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, // Authorization header values
  /([?&](?:access_token|token|secret|key|api_key|sig|signature)=)[^&\s"']+/gi, // secrets in URLs
];

const MASK = '[REDACTED]';

export type Redactor = (text: string) => string;

/**
 * Builds a redactor for the given secret values plus the known token shapes. Secrets shorter than
 * 4 characters are ignored: masking them would shred ordinary words.
 */
export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const literal = [...secrets]
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const s of literal) out = out.split(s).join(MASK);
    for (const pattern of TOKEN_PATTERNS) {
      out = out.replace(pattern, (match, prefix: unknown) =>
        typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${MASK}` : MASK,
      );
    }
    return out;
  };
}

function redactValue(value: unknown, redact: Redactor, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      /token|secret|password|authorization|api[_-]?key/i.test(k) && typeof v === 'string'
        ? MASK
        : redactValue(v, redact, depth + 1);
  }
  return out;
}

/** Wraps a logger so that no message or field ever carries a secret. */
export function createRedactingLogger(inner: Logger, secrets: Iterable<string | undefined> = []): Logger {
  const redact = createRedactor(secrets);
  const wrap = (logger: Logger): Logger => {
    const fields = (f?: LogFields) =>
      f === undefined ? undefined : (redactValue(f, redact, 0) as LogFields);
    const enabled = (level: LogLevel) => logger.isLevelEnabled?.(level) !== false;
    return {
      debug: (m, f) => {
        if (enabled('debug')) logger.debug(redact(m), fields(f));
      },
      info: (m, f) => logger.info(redact(m), fields(f)),
      warn: (m, f) => logger.warn(redact(m), fields(f)),
      error: (m, f) => logger.error(redact(m), fields(f)),
      child: (b) => wrap(logger.child(redactValue(b, redact, 0) as LogFields)),
      isLevelEnabled: enabled,
    };
  };
  return wrap(inner);
}
