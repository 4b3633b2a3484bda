import { AdapterError, type AdapterErrorCode } from '@hermes/adapter-core';
import { WECOM_PLATFORM, WECOM_RATE_LIMIT_RETRY_AFTER_MS, WecomErrcode } from './constants.js';

/** An answer from WeCom with a non-zero errcode. Keeps the platform's number for callers that branch on it. */
export class WecomError extends AdapterError {
  readonly errcode: number;
  readonly cmd: string;

  constructor(errcode: number, errmsg: string, cmd: string, code: AdapterErrorCode, fix?: string) {
    super(code, `WeCom errcode ${errcode}: ${errmsg || 'no message'} (${cmd})`, {
      platform: WECOM_PLATFORM,
      retryable: code === 'not_connected' || code === 'rate_limited' || code === 'server_error',
      // WeCom's frequency-limit answers say nothing about when to come back.
      ...(code === 'rate_limited' ? { retryAfterMs: WECOM_RATE_LIMIT_RETRY_AFTER_MS } : {}),
      ...(fix === undefined ? {} : { fix }),
    });
    this.errcode = errcode;
    this.cmd = cmd;
  }
}

/** Maps a WeCom errcode to the shared error codes, with the fix a user can act on. */
export function wecomErrorFromErrcode(errcode: number, errmsg: string, cmd: string): WecomError {
  switch (errcode) {
    case WecomErrcode.invalidSecret:
      return new WecomError(
        errcode,
        errmsg,
        cmd,
        'auth_failed',
        'check WECOM_BOT_ID and WECOM_SECRET: use the long-connection secret from the AI bot page of the WeCom admin console',
      );
    case WecomErrcode.noPermission:
      return new WecomError(
        errcode,
        errmsg,
        cmd,
        'forbidden',
        'WeCom refuses this msgtype or a proactive message into a chat that did not address the bot; reply to a message from that chat instead',
      );
    case WecomErrcode.staleReqId:
      return new WecomError(errcode, errmsg, cmd, 'wecom_stale_req_id');
    case WecomErrcode.notSubscribed:
      return new WecomError(errcode, errmsg, cmd, 'not_connected');
    case 45009:
    case 45033:
      return new WecomError(
        errcode,
        errmsg,
        cmd,
        'rate_limited',
        'WeCom limits how often a bot may send; the adapter waits and retries',
      );
    case -1:
      return new WecomError(errcode, errmsg, cmd, 'server_error');
    default:
      return new WecomError(errcode, errmsg, cmd, 'bad_request');
  }
}

export function isWecomErrcode(error: unknown, errcode: number): error is WecomError {
  return error instanceof WecomError && error.errcode === errcode;
}
