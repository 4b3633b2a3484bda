import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { type FakeOpenAI, step } from '@hermes/agent/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayProcess,
  hermes,
  prepareApiWebhookHome,
  startGatewayProcess,
} from './gateway-process.js';

let home: string;
let fake: FakeOpenAI;
let gateway: GatewayProcess;
let apiPort: number;
let webhookPort: number;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ({ home, fake, apiPort, webhookPort, env } = await prepareApiWebhookHome({
    prefix: 'hermes-e2e-',
    configYaml: [
      'display:',
      '  tool_progress: all',
      'platforms:',
      '  webhook:',
      '    extra:',
      '      routes:',
      '        github:',
      '          secret: route-secret',
      '          scheme: github',
      '          prompt: "New issue: {issue.title} by {sender.login}"',
    ],
    // The keyless server offers no terminal unless the operator says so; this suite runs a terminal tool.
    env: { API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY: 'true' },
  }));
  gateway = startGatewayProcess(env);
  await gateway.waitForLog(/gateway running/);
}, 60_000);

afterAll(async () => {
  const code = await gateway?.stop();
  expect(code).toBe(0);
  await fake?.close();
  rmSync(home, { recursive: true, force: true });
});

const client = () =>
  new OpenAI({ baseURL: `http://127.0.0.1:${apiPort}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 20_000 });

describe('the gateway process with the API server, the webhook adapter and the fake model', () => {
  it('keeps a conversation with history across requests of one session', async () => {
    fake.script(step.text('Nice to meet you, Ada.'), step.text('Your name is Ada.'));
    const headers = { 'X-Hermes-Session-Id': 'e2e-history' };
    const first = await client().chat.completions.create(
      { model: 'hermes-agent', messages: [{ role: 'user', content: 'I am Ada' }] },
      { headers },
    );
    expect(first.choices[0]?.message.content).toBe('Nice to meet you, Ada.');
    const second = await client().chat.completions.create(
      { model: 'hermes-agent', messages: [{ role: 'user', content: 'Who am I?' }] },
      { headers },
    );
    expect(second.choices[0]?.message.content).toBe('Your name is Ada.');
    const contents = fake.requests.at(-1)!.body.messages.map((m) => String(m.content));
    expect(contents).toEqual(expect.arrayContaining(['I am Ada', 'Nice to meet you, Ada.', 'Who am I?']));
  });

  it('serves the Responses API through the host: a previous_response_id chain reaches the model as history', async () => {
    fake.script(step.text('Hello Grace.'), step.text('You are Grace.'));
    const first = await client().responses.create({ model: 'hermes-agent', input: 'I am Grace' });
    expect(first.output_text).toBe('Hello Grace.');
    const second = await client().responses.create({ input: 'Who am I?', previous_response_id: first.id });
    expect(second.output_text).toBe('You are Grace.');
    const contents = fake.requests.at(-1)!.body.messages.map((m) => String(m.content));
    expect(contents).toEqual(expect.arrayContaining(['I am Grace', 'Hello Grace.', 'Who am I?']));
  });

  it('streams a reply and reports tool progress while a tool runs', async () => {
    fake.script(step.toolCall('terminal', { command: 'echo from-the-tool' }), step.stream(['All ', 'done.']));
    const stream = await client().chat.completions.create(
      { model: 'hermes-agent', stream: true, messages: [{ role: 'user', content: 'run it' }] },
      { headers: { 'X-Hermes-Session-Id': 'e2e-stream' } },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toContain('All done.');
    const toolResult = fake.requests.at(-1)!.body.messages.find((m) => m.role === 'tool');
    expect(String(toolResult?.content)).toContain('from-the-tool');
  });

  it('answers chat commands without calling the model', async () => {
    const before = fake.requests.length;
    const headers = { 'X-Hermes-Session-Id': 'e2e-commands' };
    const status = await client().chat.completions.create(
      { model: 'hermes-agent', messages: [{ role: 'user', content: '/status' }] },
      { headers },
    );
    expect(status.choices[0]?.message.content).toContain('Hermes Gateway Status');
    const help = await client().chat.completions.create(
      { model: 'hermes-agent', messages: [{ role: 'user', content: '/help' }] },
      { headers },
    );
    expect(help.choices[0]?.message.content).toContain('/background');
    expect(fake.requests.length).toBe(before);
  });

  it('answers every chat command', async () => {
    const headers = { 'X-Hermes-Session-Id': 'e2e-every-command' };
    const ask = async (text: string) =>
      (
        await client().chat.completions.create(
          { model: 'hermes-agent', messages: [{ role: 'user', content: text }] },
          { headers },
        )
      ).choices[0]?.message.content ?? '';
    fake.script(step.text('first answer'), step.text('a summary of the talk'));
    expect(await ask('hello there')).toBe('first answer');
    const expectations: Array<[string, RegExp]> = [
      ['/status', /Hermes Gateway Status/],
      ['/help', /Hermes Commands/],
      ['/usage', /Session Token Usage|No usage yet/],
      // The turn above is counted: one platform row (api_server) and the fake model's name.
      ['/insights', /Insights, last 7 day\(s\):\*\* \d+ turn\(s\)[\s\S]*api_server[\s\S]*fake-model/],
      ['/insights 0', /Usage: \/insights \[days\]/],
      ['/title Release planning', /Session title set: \*\*Release planning\*\*/],
      ['/title', /Title: \*\*Release planning\*\*/],
      ['/model', /Model: `fake-model`/],
      ['/provider', /OpenAI-compatible provider/],
      ['/personality a pirate', /Personality set to \*\*a pirate\*\*/],
      ['/personality none', /Personality cleared/],
      ['/reasoning high', /Reasoning effort set to \*\*high\*\*/],
      ['/approve', /No pending command to approve/],
      ['/deny', /No pending command to deny/],
      ['/stop', /No active task to stop/],
      ['/compress', /Not enough conversation to compress/],
      ['/undo', /Undid 2 message\(s\)/],
      ['/retry', /No previous message to retry/],
      // The API server has no home channel (its descriptor names none): answers go back to the request.
      ['/sethome', /api_server has no home channel/],
      ['/new', /New session started/],
      ['/resume', /Named Sessions[\s\S]*Release planning/],
      ['/reset', /Session reset/],
      ['/background write a haiku', /Background task started/],
    ];
    for (const [command, expected] of expectations) expect(await ask(command), command).toMatch(expected);
  });

  it('turns a signed webhook into an agent turn and refuses a bad signature', async () => {
    const body = JSON.stringify({ issue: { title: 'Crash on start' }, sender: { login: 'octo' } });
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const url = `http://127.0.0.1:${webhookPort}/webhooks/github`;
    const bad = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign('wrong') },
    });
    expect(bad.status).toBe(401);
    fake.script(step.text('Triaged the crash.'));
    const before = fake.requests.length;
    const ok = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': sign('route-secret'),
        'x-github-delivery': 'd-1',
      },
    });
    expect(ok.status).toBe(202);
    const [request] = await fake.waitForRequests(before + 1, 10_000).then((all) => all.slice(before));
    expect(String(request?.body.messages.at(-1)?.content)).toContain('New issue: Crash on start by octo');
  });

  it('reports itself through `hermes status` and keeps secrets out of its log', async () => {
    const status = hermes(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/api_server: online/);
    expect(status.stdout).toMatch(/webhook: online/);
    expect(gateway.output()).not.toContain('sk-test-e2e-key-123456');
    expect(gateway.output()).not.toContain('route-secret');
  });
});
