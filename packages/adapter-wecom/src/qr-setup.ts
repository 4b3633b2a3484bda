import { performance } from 'node:perf_hooks';
import { AdapterError, abortableSleep } from '@hermes/adapter-core';
import { WECOM_PLATFORM } from './constants.js';

/** Where WeCom's "scan to create an AI bot" flow lives. */
export const WECOM_QR_BASE_URL = 'https://work.weixin.qq.com';

export interface WecomQrSetupOptions {
  /** Default https://work.weixin.qq.com; tests point it at the fake. */
  baseUrl?: string;
  source?: string;
  /** Default 3 s between polls. */
  pollIntervalMs?: number;
  /** Default 300 s, measured on a monotonic clock so that a wall-clock jump neither ends nor extends it. */
  timeoutMs?: number;
  /** Monotonic milliseconds; default `performance.now`. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

export interface WecomQrSession {
  scode: string;
  /** Show this as a QR code; scanning it in the WeCom app creates the bot. */
  qrUrl: string;
  authUrl?: string;
  /** Polls until the user finished in the app; resolves to the new bot's credentials. */
  waitForCredentials(): Promise<{ botId: string; secret: string }>;
}

function qrError(code: string, message: string, fix?: string): AdapterError {
  return new AdapterError(code, message, { platform: WECOM_PLATFORM, ...(fix ? { fix } : {}) });
}

async function getData(url: URL, signal?: AbortSignal): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, signal ? { signal } : {});
  } catch (error) {
    throw qrError('network', `cannot reach ${url.origin}: ${(error as Error).message}`);
  }
  if (!res.ok)
    throw qrError(
      res.status >= 500 ? 'server_error' : 'bad_request',
      `${url.pathname} answered HTTP ${res.status}`,
    );
  const json = (await res.json().catch(() => undefined)) as { data?: unknown } | undefined;
  if (!json || typeof json.data !== 'object' || json.data === null) {
    throw qrError('protocol', `${url.pathname} answered without a data object`);
  }
  return json.data as Record<string, unknown>;
}

/** Starts WeCom's QR "scan to create" flow (used by the setup wizard). */
export async function startWecomQrSetup(options: WecomQrSetupOptions = {}): Promise<WecomQrSession> {
  const base = options.baseUrl ?? WECOM_QR_BASE_URL;
  const source = options.source ?? 'hermes';
  const generate = new URL('/ai/qc/generate', base);
  generate.searchParams.set('source', source);
  const data = await getData(generate, options.signal);
  const scode = typeof data['scode'] === 'string' ? data['scode'] : '';
  if (!scode) throw qrError('protocol', 'WeCom QR generate answered without an scode');
  const qr = new URL('/ai/qc/gen', base);
  qr.searchParams.set('source', source);
  qr.searchParams.set('scode', scode);
  const authUrl = typeof data['auth_url'] === 'string' ? data['auth_url'] : undefined;
  const now = options.now ?? (() => performance.now());
  const sleep =
    options.sleep ?? ((ms: number, signal?: AbortSignal) => abortableSleep(ms, signal, 'WeCom QR poll'));
  const interval = options.pollIntervalMs ?? 3_000;
  const timeout = options.timeoutMs ?? 300_000;

  const waitForCredentials = async () => {
    const deadline = now() + timeout;
    const query = new URL('/ai/qc/query_result', base);
    query.searchParams.set('scode', scode);
    while (now() < deadline) {
      const result = await getData(query, options.signal);
      if (result['status'] === 'success') {
        const info = (result['bot_info'] ?? {}) as Record<string, unknown>;
        const botId = String(info['botid'] ?? info['bot_id'] ?? '');
        const secret = String(info['secret'] ?? '');
        if (!botId || !secret)
          throw qrError('protocol', 'WeCom reported success without bot_info.botid and secret');
        return { botId, secret };
      }
      await sleep(interval, options.signal);
    }
    throw qrError(
      'wecom_qr_timeout',
      `the QR code was not confirmed in the WeCom app within ${Math.round(timeout / 1000)} s`,
      'run the setup again and scan the new code, or paste WECOM_BOT_ID and WECOM_SECRET by hand',
    );
  };
  return { scode, qrUrl: qr.toString(), ...(authUrl ? { authUrl } : {}), waitForCredentials };
}
