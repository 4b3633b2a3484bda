// The probes of issue 8, replayed against the real `hermes gateway` process with its default (keyless) API
// server and a webhook adapter: what a hostile web page, a hostile webhook sender and a crash can do.
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeOpenAI, openAIErrors, step } from '@hermes/agent/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, prepareApiWebhookHome, startGatewayProcess } from './gateway-process.js';

let home: string;
let fake: FakeOpenAI;
let gateway: GatewayProcess;
let apiPort: number;
let webhookPort: number;
let env: NodeJS.ProcessEnv;

const start = async () => {
  gateway = startGatewayProcess(env);
  await gateway.waitForLog(/gateway running/, 30_000);
};

beforeAll(async () => {
  ({ home, fake, apiPort, webhookPort, env } = await prepareApiWebhookHome({
    prefix: 'hermes-e2e-sec-',
    configYaml: [
      'platforms:',
      '  api_server:',
      '    max_concurrent_runs: 2',
      '  webhook:',
      '    extra:',
      '      routes:',
      '        plain:',
      '          secret: route-secret',
      '          scheme: github',
      '          prompt: "{text}"',
      '        notools:',
      '          secret: route-secret',
      '          scheme: github',
      '          prompt: "{text}"',
      '          toolsets: []',
    ],
  }));
  await start();
}, 60_000);

afterAll(async () => {
  const code = await gateway?.stop();
  expect(code).toBe(0);
  await fake?.close();
  rmSync(home, { recursive: true, force: true });
});

const api = `http://127.0.0.1:`;
const chat = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${api}${apiPort}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
const ask = (content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  chat({ model: 'hermes-agent', messages: [{ role: 'user', content }], ...extra }, headers);
const toolNames = (i: number) => (fake.requests[i]?.body.tools ?? []).map((t) => t.function.name);
const newRequests = async (before: number, count = 1) =>
  (await fake.waitForRequests(before + count, 10_000)).slice(before);

describe('a web page against the default keyless API server', () => {
  it('cannot send a simple (preflight-free) text/plain POST', async () => {
    const before = fake.requests.length;
    const res = await fetch(`${api}${apiPort}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ model: 'hermes-agent', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(415);
    expect(fake.requests.length).toBe(before);
  });

  it('cannot come from a foreign Origin, nor through DNS rebinding (a foreign Host)', async () => {
    // A page served from another local port is another origin, as cross-site as any web page.
    const fromPage = await ask('hi', {}, { origin: 'http://127.0.0.1:9' });
    expect(fromPage.status).toBe(403);
    // fetch() will not forge Host; the raw-socket tests of the adapter cover 421. Here: a name the server
    // was not told about, sent the way a rebinding page's browser would.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: apiPort,
          path: '/v1/models',
          headers: { host: `rebind.attacker.invalid:${apiPort}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.setTimeout(5000, () => req.destroy(new Error('no answer in 5 s')));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('gets no terminal tool, and the startup log says so', async () => {
    const before = fake.requests.length;
    fake.script(step.text('no shell for you'));
    const res = await ask('run ls');
    expect(res.status).toBe(200);
    await newRequests(before);
    expect(toolNames(before)).not.toContain('terminal');
    expect(toolNames(before).length).toBeGreaterThan(0);
    expect(gateway.output()).toMatch(/no API_SERVER_KEY[^\n]*without the terminal tool/);
  });
});

describe('requests and runs', () => {
  it('a client that goes away stops its run and frees its slot at once', async () => {
    const before = fake.requests.length;
    fake.script(step.hang(), step.hang());
    const aborts = [new AbortController(), new AbortController()];
    const gone = aborts.map((a, i) =>
      chat({ model: 'hermes-agent', messages: [{ role: 'user', content: `slow ${i}` }] }, {}, a.signal).catch(
        () => 'aborted',
      ),
    );
    await newRequests(before, 2);
    for (const a of aborts) a.abort();
    expect(await Promise.all(gone)).toEqual(['aborted', 'aborted']);
    // max_concurrent_runs is 2: were the slots still held, this would be a 429. The server frees a slot when
    // it sees the socket close, which can come a moment after the client's own abort settled: allowed a
    // second (a 429 never reaches the model, so the script is not consumed), never longer.
    fake.script(step.text('served after the abandoned ones'));
    const deadline = Date.now() + 1_000;
    let next = await ask('are you free?');
    while (next.status === 429 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      next = await ask('are you free?');
    }
    expect(next.status).toBe(200);
    expect(JSON.stringify(await next.json())).toContain('served after the abandoned ones');
    const db = new Database(join(home, 'state.db'), { readonly: true });
    try {
      const states = db
        .prepare(`SELECT state FROM inbound WHERE payload LIKE '%slow %' ORDER BY id`)
        .all() as Array<{ state: string }>;
      expect(states.map((s) => s.state)).toEqual(['abandoned', 'abandoned']);
    } finally {
      db.close();
    }
  });

  it('a failing model is an HTTP error, not a 200 answer; an unknown model is 404', async () => {
    // The agent retries a 5xx twice (three attempts) before giving up.
    fake.script(openAIErrors.serverError(), openAIErrors.serverError(), openAIErrors.serverError());
    const failed = await ask('this will fail');
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const body = (await failed.json()) as { error?: { message?: string } };
    expect(body.error?.message).toBeTruthy();
    const before = fake.requests.length;
    const unknown = await chat({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'model_not_found' } });
    expect(fake.requests.length).toBe(before);
  });

  it('a malformed image URL in a reply is left as text and the request completes', async () => {
    fake.script(step.text('Here: ![x](http://[zz.png) done.'));
    const res = await ask('show me');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toContain('done.');
  });

  it('a MEDIA line naming a secret attaches nothing, and the path stays text', async () => {
    writeFileSync(join(home, '.env'), 'SOME_TOKEN=do-not-leak-me\n', { mode: 0o600 });
    fake.script(step.text(`Here you go.\nMEDIA:${join(home, '.env')}`));
    const res = await ask('send me the env');
    expect(res.status).toBe(200);
    const text = JSON.stringify(await res.json());
    expect(text).not.toContain('do-not-leak-me');
    // The refused line stays in the reply as text, so the user sees what the model tried.
    expect(text).toContain(`MEDIA:${join(home, '.env')}`);
    expect(gateway.output()).not.toContain('do-not-leak-me');
  });
});

describe('a webhook sender', () => {
  const post = (route: string, payload: unknown, delivery: string) => {
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac('sha256', 'route-secret').update(body).digest('hex')}`;
    return fetch(`${api}${webhookPort}/webhooks/${route}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        'x-github-delivery': delivery,
      },
    });
  };

  it('cannot run chat commands: /sethome goes to the model as text and writes nothing', async () => {
    const before = fake.requests.length;
    fake.script(step.text('event handled'));
    expect((await post('plain', { text: '/sethome' }, 'cmd-1')).status).toBe(202);
    const [request] = await newRequests(before);
    expect(String(request?.body.messages.at(-1)?.content)).toContain('/sethome');
    const dotenv = existsSync(join(home, '.env')) ? readFileSync(join(home, '.env'), 'utf8') : '';
    expect(dotenv).not.toMatch(/HOME_CHANNEL/);
    // Events get no terminal by default.
    expect(toolNames(before)).not.toContain('terminal');
  });

  it("gets only its route's toolsets: `toolsets: []` offers no tool at all", async () => {
    const before = fake.requests.length;
    fake.script(step.text('no tools here'));
    expect((await post('notools', { text: 'run rm -rf' }, 'tools-1')).status).toBe(202);
    await newRequests(before);
    expect(toolNames(before)).toEqual([]);
  });

  it('a body nested 10,000 deep is a 400 (senders retry a 5xx), and the gateway serves on', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await fetch(`${api}${webhookPort}/webhooks/plain`, {
      method: 'POST',
      body: deep,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${createHmac('sha256', 'route-secret').update(deep).digest('hex')}`,
      },
    });
    expect(res.status).toBe(400);
    fake.script(step.text('still here'));
    expect((await ask('still there?')).status).toBe(200);
  });
});

describe('kill -9 with an API request in flight', () => {
  it('the request is not replayed after restart (its client is gone)', async () => {
    const before = fake.requests.length;
    fake.script(step.hang());
    const lost = ask('in flight when killed').catch(() => 'gone');
    await newRequests(before);
    await gateway.kill9();
    expect(await lost).toBe('gone');
    await start();
    // Recovery runs at start; a replay would reach the fake before or soon after the next request.
    fake.script(step.text('served'));
    expect((await ask('after restart')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const replays = fake.requests
      .slice(before + 1)
      .filter((r) => String(r.body.messages.at(-1)?.content) === 'in flight when killed');
    expect(replays).toEqual([]);
  }, 60_000);
});
