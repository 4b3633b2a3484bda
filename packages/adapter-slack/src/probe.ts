import { AdapterError, type Logger, type ProbeResult, toAdapterError } from '@hermes/adapter-core';
import type { SlackConfig } from './config.js';
import { SLACK_PLATFORM } from './constants.js';
import { createSlackWebClient, resultString, slackCaller } from './web-api.js';

function failure(error: unknown): ProbeResult {
  const e = toAdapterError(error, SLACK_PLATFORM);
  return e.fix ? { ok: false, error: e, fix: e.fix } : { ok: false, error: e };
}

/**
 * Checks both credentials the way start() uses them, without opening a socket: auth.test with the bot
 * token, apps.connections.open with the app token (which only hands out a URL).
 */
export async function probeSlack(config: SlackConfig, logger: Logger): Promise<ProbeResult> {
  const client = (token: string) =>
    slackCaller(
      createSlackWebClient({ token, apiUrl: config.apiUrl, timeoutMs: config.requestTimeoutMs, logger }),
    );
  let identity: string;
  try {
    const me = await client(config.botToken)('auth.test');
    const user = resultString(me, 'user') ?? resultString(me, 'user_id') ?? 'unknown bot';
    const team = resultString(me, 'team');
    identity = team ? `@${user} in ${team}` : `@${user}`;
  } catch (error) {
    return failure(error);
  }
  try {
    const open = await client(config.appToken)('apps.connections.open');
    if (!resultString(open, 'url')) {
      return failure(
        new AdapterError('protocol', 'apps.connections.open gave no URL', { platform: SLACK_PLATFORM }),
      );
    }
  } catch (error) {
    return failure(error);
  }
  return { ok: true, identity, detail: 'bot token accepted by auth.test; app token can open Socket Mode' };
}
