import { describe, expect, it } from 'vitest';
import { chatBody, KEY, postJson, rawHttp, startHost } from '../../test/harness.js';
import type { ApiServerEchoHost } from '../testing/index.js';

const port = (host: ApiServerEchoHost) => host.adapter.address?.port ?? 0;

function request(method: string, path: string, hostHeader: string, extra = ''): string {
  return `${method} ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\n${extra}Connection: close\r\n\r\n`;
}

function cspDirectives(csp: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values.join(' '));
  }
  return out;
}

describe('GET / (chat page)', () => {
  it('serves the page without a key, with a strict nonce CSP and the security headers', async () => {
    const host = await startHost();
    const res = await fetch(`${host.url}/`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = cspDirectives(res.headers.get('content-security-policy'));
    const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(csp.get('script-src') ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('style-src')).toBe(`'nonce-${nonce}'`);
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('require-trusted-types-for')).toBe("'script'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe');

    const html = await res.text();
    expect(html).not.toContain('__CSP_NONCE__');
    // Every inline script and style carries this response's nonce; nothing is loaded from anywhere.
    const tags = [...html.matchAll(/<(script|style)\b([^>]*)>/g)];
    expect(tags.length).toBeGreaterThanOrEqual(2);
    for (const [, , attrs] of tags) expect(attrs).toBe(` nonce="${nonce}"`);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<(link|iframe|img|object|embed)\b/i);
    expect(html).not.toContain('innerHTML');
  });

  it('uses a fresh nonce per response', async () => {
    const host = await startHost();
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${host.url}/`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      nonces.add(res.headers.get('content-security-policy') ?? '');
    }
    expect(nonces.size).toBe(3);
  });

  it('answers HEAD with the headers and no body, /favicon.ico with 204, and other methods with 405', async () => {
    const host = await startHost();
    const name = `127.0.0.1:${port(host)}`;
    const head = await rawHttp(host, request('HEAD', '/', name));
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const icon = await rawHttp(host, request('GET', '/favicon.ico', name));
    expect(icon.status).toBe(204);
    const post = await rawHttp(host, request('POST', '/', name, 'Content-Length: 0\r\n'));
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET');
  });

  it('keeps the Host and Origin checks in front of the page', async () => {
    const host = await startHost({ config: { key: undefined } });
    const rebound = await rawHttp(host, request('GET', '/', `rebind.attacker.invalid:${port(host)}`));
    expect(rebound.status).toBe(421);
    const crossSite = await fetch(`${host.url}/`, {
      headers: { origin: 'http://attacker.invalid' },
      signal: AbortSignal.timeout(5000),
    });
    expect(crossSite.status).toBe(403);
  });

  it('leaves every other path as it was: unknown paths still need the key, then 404', async () => {
    const host = await startHost();
    const name = `127.0.0.1:${port(host)}`;
    expect((await rawHttp(host, request('GET', '/index.html', name))).status).toBe(401);
    const authed = await rawHttp(
      host,
      request('GET', '/index.html', name, `Authorization: Bearer ${KEY}\r\n`),
    );
    expect(authed.status).toBe(404);
  });
});

describe('same-origin API calls (the page calling its own server)', () => {
  it('accepts an Origin that names the server the request reached, still behind the key', async () => {
    const host = await startHost();
    const origin = `http://127.0.0.1:${port(host)}`;
    const denied = await postJson(host, '/v1/chat/completions', chatBody('hi'), {
      origin,
      authorization: 'Bearer wrong-key-0000',
    });
    expect(denied.status).toBe(401);
    const ok = await postJson(host, '/v1/chat/completions', chatBody('hi'), { origin });
    expect(ok.status).toBe(200);
    // Same origin needs no CORS headers.
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('still refuses an Origin on another port, another name or another scheme than the Host', async () => {
    const host = await startHost({ config: { key: undefined } });
    const p = port(host);
    for (const origin of [
      `http://127.0.0.1:${p + 1}`,
      `http://localhost:${p}`,
      `ftp://127.0.0.1:${p}`,
      'null',
      `http://127.0.0.1:${p}.attacker.invalid`,
    ]) {
      const res = await postJson(host, '/v1/chat/completions', chatBody('hi'), { origin });
      expect(res.status, origin).toBe(403);
    }
    expect(host.received).toHaveLength(0);
  });
});
