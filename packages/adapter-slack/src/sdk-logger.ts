import type { Logger } from '@hermes/adapter-core';
import { LogLevel, type Logger as SlackSdkLogger } from '@slack/web-api';

function text(parts: unknown[]): string {
  return parts
    .map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p)))
    .join(' ');
}

/**
 * Hands the SDKs' log lines to our (redacting) logger. The SDKs' own `error` lines become warnings: they
 * fire on ordinary reconnects, and the adapter decides what is an error. Debug lines, which carry whole
 * payloads, are only formatted when debug is on.
 */
export function createSlackSdkLogger(logger: Logger, debug = false): SlackSdkLogger {
  let level: LogLevel = debug ? LogLevel.DEBUG : LogLevel.INFO;
  const sdk = logger.child({ source: 'slack-sdk' });
  return {
    debug: (...msg: unknown[]) => {
      if (level === LogLevel.DEBUG) sdk.debug(text(msg));
    },
    info: (...msg: unknown[]) => sdk.info(text(msg)),
    warn: (...msg: unknown[]) => sdk.warn(text(msg)),
    error: (...msg: unknown[]) => sdk.warn(text(msg)),
    setLevel: (next: LogLevel) => {
      // Only our flag turns the SDKs' payload dumps on.
      if (!debug && next === LogLevel.DEBUG) return;
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
