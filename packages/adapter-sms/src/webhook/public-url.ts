import type { IncomingMessage } from 'node:http';
import { SMS_WEBHOOK_PATH } from '../config.js';

export interface PublicUrlOptions {
  /** SMS_WEBHOOK_URL: the URL Twilio posts to; wins over anything in the request. */
  webhookUrl: string | undefined;
  trustProxy: boolean;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  // A proxy chain appends: the first entry is what the client (Twilio) used.
  return v?.split(',')[0]?.trim() || undefined;
}

/** The query part of the request target, exactly as sent (Twilio signs it as it posted it). */
function searchOf(target: string): string {
  const at = target.indexOf('?');
  if (at < 0) return '';
  const hash = target.indexOf('#', at);
  return hash < 0 ? target.slice(at) : target.slice(at, hash);
}

/**
 * The URL Twilio signed for this request: the configured public URL with the local path below
 * `/webhooks/twilio` (e.g. `/status`) and the query appended. Without a configured URL it is rebuilt from
 * the Host header (and X-Forwarded-Proto/Host when a proxy is trusted); the HMAC still needs the auth
 * token, the URL only binds the signature to the endpoint.
 */
export function signedUrlFor(req: IncomingMessage, path: string, o: PublicUrlOptions): string {
  const target = req.url ?? '';
  const search = searchOf(target);
  if (o.webhookUrl !== undefined) {
    const base = new URL(o.webhookUrl);
    const basePath = base.pathname.replace(/\/$/, '');
    const suffix = path.startsWith(SMS_WEBHOOK_PATH) ? path.slice(SMS_WEBHOOK_PATH.length) : path;
    return `${base.protocol}//${base.host}${basePath}${suffix}${search}`;
  }
  const proto = (o.trustProxy ? firstHeader(req.headers['x-forwarded-proto']) : undefined) ?? 'http';
  const host =
    (o.trustProxy ? firstHeader(req.headers['x-forwarded-host']) : undefined) ??
    req.headers.host ??
    'localhost';
  return `${proto}://${host}${path}${search}`;
}

/** The public base below which served media and status callbacks live, or undefined without SMS_WEBHOOK_URL. */
export function publicBase(webhookUrl: string | undefined): string | undefined {
  if (webhookUrl === undefined) return undefined;
  const base = new URL(webhookUrl);
  return `${base.protocol}//${base.host}${base.pathname.replace(/\/$/, '')}`;
}
