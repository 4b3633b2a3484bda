import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, type GatewayProcess, gatewayEnv, startGatewayProcess } from './gateway-process.js';

const KEY = 'e2e-responses-key-0123456789';
const OTHER_KEY = 'e2e-rotated-key-9876543210';
let home: string;
let fake: FakeOpenAI;
let apiPort: number;
const running: GatewayProcess[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-responses-'));
  writeFileSync(join(home, 'config.yaml'), '');
  fake = await startFakeOpenAI();
  apiPort = await freePort();
});
afterAll(async () => {
  await Promise.all(running.map((g) => g.stop()));
  await fake?.close();
  rmSync(home, { recursive: true, force: true });
});

async function start(key: string): Promise<GatewayProcess> {
  const gateway = startGatewayProcess(
    gatewayEnv(home, {
      API_SERVER_ENABLED: 'true',
      API_SERVER_PORT: String(apiPort),
      API_SERVER_KEY: key,
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: 'sk-test-e2e-responses',
      HERMES_MODEL: 'fake-model',
    }),
  );
  running.push(gateway);
  await gateway.waitForLog(/gateway running/, 30_000);
  return gateway;
}

const client = (key = KEY) =>
  new OpenAI({ baseURL: `http://127.0.0.1:${apiPort}/v1`, apiKey: key, maxRetries: 0, timeout: 20_000 });

const modelSaw = () => fake.requests.at(-1)!.body.messages.map((m) => `${m.role}: ${String(m.content)}`);

it('stored responses outlive a crash of the gateway: chained and read back after the restart, scoped to the key', async () => {
  const first = await start(KEY);
  fake.script(step.text('Hello Grace.'), step.stream(['Noted, ', 'Hopper.']), step.text('Forgotten.'));
  const hello = await client().responses.create({ model: 'hermes-agent', input: 'I am Grace' });
  expect(hello.output_text).toBe('Hello Grace.');
  const stream = await client().responses.create({
    input: 'My surname is Hopper',
    previous_response_id: hello.id,
    stream: true,
  });
  let surnameId = '';
  let streamed = '';
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') streamed += event.delta;
    if (event.type === 'response.completed') surnameId = event.response.id;
  }
  expect(streamed).toBe('Noted, Hopper.');
  const unstored = await client().responses.create({ input: 'keep this to yourself', store: false });
  expect(unstored.output_text).toBe('Forgotten.');

  // A crash, not a clean stop: what was answered must already be on disk.
  await first.kill9();
  await start(KEY);

  fake.script(step.text('You are Grace Hopper.'));
  const who = await client().responses.create({ input: 'Who am I?', previous_response_id: surnameId });
  expect(who.output_text).toBe('You are Grace Hopper.');
  expect(who.previous_response_id).toBe(surnameId);
  expect(modelSaw()).toEqual(
    expect.arrayContaining([
      'user: I am Grace',
      'assistant: Hello Grace.',
      'user: My surname is Hopper',
      'assistant: Noted, Hopper.',
      'user: Who am I?',
    ]),
  );
  const readBack = await client().responses.retrieve(hello.id);
  expect(readBack).toMatchObject({ id: hello.id, status: 'completed', previous_response_id: null });
  expect(readBack.output_text).toBe('Hello Grace.');
  expect((await client().responses.retrieve(who.id)).output_text).toBe('You are Grace Hopper.');

  const requestsBefore = fake.requests.length;
  await expect(client().responses.retrieve(unstored.id)).rejects.toMatchObject({
    status: 404,
    code: 'response_not_found',
  });
  await expect(
    client().responses.create({ input: 'and now?', previous_response_id: unstored.id }),
  ).rejects.toMatchObject({
    status: 404,
    code: 'previous_response_not_found',
    param: 'previous_response_id',
  });
  expect(fake.requests.length).toBe(requestsBefore);
  expect(await running.at(-1)!.stop()).toBe(0);

  // What is on disk: the three stored responses, none with the key in it.
  const db = new Database(join(home, 'state.db'), { readonly: true });
  const rows = db.prepare('SELECT id, scope, body FROM responses ORDER BY seq').all() as Array<{
    id: string;
    scope: string;
    body: string;
  }>;
  db.close();
  expect(rows.map((r) => r.id)).toEqual([hello.id, surnameId, who.id]);
  for (const row of rows) expect(`${row.scope} ${row.body}`).not.toContain(KEY);
  expect(rows.map((r) => r.body).join('')).not.toContain('keep this to yourself');

  // A new key does not open the old key's responses.
  await start(OTHER_KEY);
  await expect(client(OTHER_KEY).responses.retrieve(hello.id)).rejects.toMatchObject({ status: 404 });
  await expect(
    client(OTHER_KEY).responses.create({ input: 'Who am I?', previous_response_id: who.id }),
  ).rejects.toMatchObject({ status: 404, code: 'previous_response_not_found' });
  expect(await running.at(-1)!.stop()).toBe(0);
}, 120_000);
