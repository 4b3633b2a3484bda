import type { Logger } from '@hermes/adapter-core';
import { WebClient } from '@slack/web-api';
import { slackErrorToAdapterError } from './errors.js';
import { createSlackSdkLogger } from './sdk-logger.js';

/**
 * Calls that can be repeated without a visible effect. Everything else (chat.postMessage,
 * files.completeUploadExternal) posts something and is never resent after an ambiguous failure.
 */
const IDEMPOTENT_METHODS = new Set([
  'auth.test',
  'chat.update',
  'chat.delete',
  'reactions.add',
  'files.getUploadURLExternal',
  'users.info',
  'conversations.info',
]);

export type SlackResult = Record<string, unknown>;

export interface SlackWebApiOptions {
  token: string;
  apiUrl: string;
  timeoutMs: number;
  logger: Logger;
}

/** One Web API call, errors already mapped to AdapterError. */
export type SlackCall = (method: string, args?: Record<string, unknown>) => Promise<SlackResult>;

/**
 * The WebClient with its own retries switched off: it would otherwise repeat a chat.postMessage whose first
 * attempt timed out after Slack had already posted it (the double-post OpenClaw shipped, #22780) and sit on
 * 429s inside its queue. Retries happen one level up, in core's pacer, which knows what is safe to repeat.
 */
export function createSlackWebClient(o: SlackWebApiOptions): WebClient {
  return new WebClient(o.token, {
    slackApiUrl: o.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: o.timeoutMs,
    logger: createSlackSdkLogger(o.logger),
  });
}

export function slackCaller(client: WebClient): SlackCall {
  return async (method, args = {}) => {
    try {
      return (await client.apiCall(method, args)) as unknown as SlackResult;
    } catch (error) {
      throw slackErrorToAdapterError(error, { method, idempotent: IDEMPOTENT_METHODS.has(method) });
    }
  };
}

export function isIdempotentSlackMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method);
}

/** Reads a string field of a Web API result, or undefined. */
export function resultString(result: SlackResult, key: string): string | undefined {
  const value = result[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
