import { createMemoryLogger } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { chatBody, KEY, openaiClient, postJson, rawHttp, startHost } from '../test/harness.js';
import type { ApiServerEchoHost } from './testing/index.js';

// Web pages must not be able to drive the agent through a server on this machine (issue 8, finding 1).

const port = (host: ApiServerEchoHost) => host.adapter.address?.port ?? 0;

function get(path: string, hostHeader: string | undefined, extra = ''): string {
  const host = hostHeader === undefined ? '' : `Host: ${hostHeader}\r\n`;
  return `GET ${path} HTTP/1.1\r\n${host}Authorization: Bearer ${KEY}\r\n${extra}Connection: close\r\n\r\n`;
}

function post(hostHeader: string, body: string, contentType: string): string {
  return (
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Type: ${contentType}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

describe('Host header (DNS rebinding)', () => {
  it('answers 421 misdirected_request to a name the server is not known by, on every route', async () => {
    const host = await startHost();
    const rebound = `rebind.attacker.invalid:${port(host)}`;
    for (const path of ['/v1/models', '/health']) {
      const res = await rawHttp(host, get(path, rebound));
      expect(res.status, path).toBe(421);
      expect(JSON.parse(res.body)).toMatchObject({
        error: { type: 'invalid_request_error', code: 'misdirected_request' },
      });
      expect(JSON.parse(res.body).error.message).toContain('API_SERVER_ALLOWED_HOSTS');
    }
    const keyless = await startHost({ config: { key: undefined } });
    const res = await rawHttp(
      keyless,
      post(`rebind.attacker.invalid:${port(keyless)}`, chatBody(), 'application/json'),
    );
    expect(res.status).toBe(421);
    expect(keyless.received).toHaveLength(0);
  });

  it('accepts the bound address and the loopback names, with or without a port', async () => {
    const host = await startHost();
    for (const name of [
      `127.0.0.1:${port(host)}`,
      `localhost:${port(host)}`,
      `[::1]:${port(host)}`,
      'LOCALHOST',
    ]) {
      const res = await rawHttp(host, get('/v1/models', name));
      expect(res.status, name).toBe(200);
    }
  });

  it('accepts names listed in allowedHosts (case and trailing dot ignored), and only those', async () => {
    const host = await startHost({ config: { allowedHosts: ['api.example.com'] } });
    expect((await rawHttp(host, get('/v1/models', 'api.example.com'))).status).toBe(200);
    expect((await rawHttp(host, get('/v1/models', 'API.Example.COM.:443'))).status).toBe(200);
    expect((await rawHttp(host, get('/v1/models', 'other.example.com'))).status).toBe(421);
    expect((await rawHttp(host, get('/v1/models', 'api.example.com.attacker.invalid'))).status).toBe(421);
  });

  it('answers 400 missing_host to a request without a Host header', async () => {
    const host = await startHost();
    // HTTP/1.0 may leave Host out; Node itself already refuses an HTTP/1.1 request without one.
    const res = await rawHttp(host, `GET /v1/models HTTP/1.0\r\nAuthorization: Bearer ${KEY}\r\n\r\n`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'missing_host' } });
  });
});

describe('Origin header', () => {
  it('refuses any request from a web origin when no origins are configured, before auth or body', async () => {
    const host = await startHost({ config: { key: undefined } });
    const simplePost = await fetch(`${host.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1:9', 'content-type': 'text/plain' },
      body: chatBody(),
      signal: AbortSignal.timeout(5000),
    });
    expect(simplePost.status).toBe(403);
    expect(await simplePost.json()).toMatchObject({
      error: { type: 'permission_error', code: 'cors_origin_denied' },
    });
    const read = await fetch(`${host.url}/v1/models`, {
      headers: { origin: 'null' },
      signal: AbortSignal.timeout(5000),
    });
    expect(read.status).toBe(403);
    expect(host.received).toHaveLength(0);
  });
});

describe('Content-Type of POST bodies', () => {
  it('answers 415 unsupported_media_type to a body that is not declared JSON', async () => {
    const host = await startHost({ config: { key: undefined } });
    const name = `127.0.0.1:${port(host)}`;
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await rawHttp(host, post(name, chatBody(), type));
      expect(res.status, type).toBe(415);
      expect(JSON.parse(res.body)).toMatchObject({
        error: { type: 'invalid_request_error', code: 'unsupported_media_type' },
      });
    }
    const missing = await rawHttp(
      host,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${name}\r\nContent-Length: ${chatBody().length}\r\nConnection: close\r\n\r\n${chatBody()}`,
    );
    expect(missing.status).toBe(415);
    expect(host.received).toHaveLength(0);
  });

  it('accepts application/json with parameters, in any case', async () => {
    const host = await startHost();
    const res = await postJson(host, '/v1/chat/completions', chatBody('hi'), {
      'content-type': 'Application/JSON; charset=UTF-8',
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ choices: [{ message: { content: 'echo: hi' } }] });
  });
});

describe('keyless server', () => {
  it('runs every turn without the terminal toolset, and says so at start', async () => {
    const logger = createMemoryLogger();
    const host = await startHost({ config: { key: undefined }, logger });
    await openaiClient(host, { key: 'unused' }).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'rm -rf please' }],
    });
    expect(host.received[0]?.turnLimits).toEqual({ withoutToolsets: ['terminal'] });
    const [warning] = logger.find('warn', 'no API_SERVER_KEY');
    expect(warning?.msg).toContain('without the terminal tool');
    expect(warning?.msg).toContain('API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY');
  });

  it('keeps the terminal when the operator opts in with allowTerminalWithoutKey', async () => {
    const logger = createMemoryLogger();
    const host = await startHost({ config: { key: undefined, allowTerminalWithoutKey: true }, logger });
    await openaiClient(host, { key: 'unused' }).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(host.received[0]?.turnLimits).toBeUndefined();
    expect(logger.find('warn', 'no API_SERVER_KEY')[0]?.msg).toContain('terminal tool is ON');
  });
});

describe('request targets', () => {
  it('answers 400 invalid_request_path to a target URL cannot parse, and never reads `//x` as a host', async () => {
    const host = await startHost();
    const name = `127.0.0.1:${port(host)}`;
    for (const target of ['//[::1', '/\\attacker.invalid/v1/models']) {
      const res = await rawHttp(host, get(target, name));
      expect(res.status, target).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'invalid_request_path' } });
    }
    // A path that starts with `//` is a path on this server (one it does not serve), never another host.
    expect((await rawHttp(host, get('//attacker.invalid/v1/models', name))).status).toBe(404);
    expect((await rawHttp(host, get('/v1/models/?x=1', name))).status).toBe(200);
  });
});
