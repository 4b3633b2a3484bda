import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pageTemplate from './chat-page.html';

const NONCE_PLACEHOLDER = /__CSP_NONCE__/g;

/** The paths the chat page answers on; every other path is the API's. */
export const CHAT_PAGE_PATHS: ReadonlySet<string> = new Set(['/', '/favicon.ico']);

/**
 * The page may run only its own inline script and style (this response's nonce), talk only to this server,
 * load nothing else, never be framed, and never put a string into the DOM as HTML (Trusted Types with no
 * policy makes innerHTML and friends throw, so a Markdown bug cannot turn model text into markup).
 */
export function chatPageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

function securityHeaders(): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    'cache-control': 'no-store',
  };
}

/** Answers GET/HEAD of `/` with the chat page and `/favicon.ico` with 204 (the page has no icon). */
export function serveChatPage(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (path === '/favicon.ico') {
    res.writeHead(204, { ...securityHeaders(), 'content-length': '0' });
    res.end();
    return;
  }
  // A fresh nonce per response: a value an attacker could predict would let injected script run.
  const nonce = randomBytes(18).toString('base64');
  const body = Buffer.from(pageTemplate.replace(NONCE_PLACEHOLDER, nonce), 'utf8');
  res.writeHead(200, {
    ...securityHeaders(),
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': chatPageCsp(nonce),
    'content-length': String(body.byteLength),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
