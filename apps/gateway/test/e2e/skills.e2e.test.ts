import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, type GatewayProcess, gatewayEnv, startGatewayProcess } from './gateway-process.js';

let home: string;
let fake: FakeOpenAI;
let gateway: GatewayProcess;
let client: OpenAI;

function skill(folder: string, text: string): void {
  mkdirSync(join(home, 'skills', folder), { recursive: true });
  writeFileSync(join(home, 'skills', folder, 'SKILL.md'), text);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-skills-'));
  skill(
    'haiku',
    '---\nname: haiku\ndescription: Answer in one haiku\n---\nWrite exactly three lines: 5, 7 and 5 syllables.\n',
  );
  writeFileSync(join(home, 'skills', 'haiku', 'syllables.txt'), 'a syllable table');
  skill('broken', 'no front matter here\n');
  fake = await startFakeOpenAI();
  const port = await freePort();
  gateway = startGatewayProcess(
    gatewayEnv(home, {
      API_SERVER_PORT: String(port),
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: 'sk-test-e2e-skills',
      HERMES_MODEL: 'fake-model',
    }),
  );
  await gateway.waitForLog(/gateway running/, 30_000);
  client = new OpenAI({
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
    timeout: 20_000,
  });
}, 60_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await fake?.close();
  rmSync(home, { recursive: true, force: true });
});

const ask = async (text: string) =>
  (
    await client.chat.completions.create(
      { model: 'hermes-agent', messages: [{ role: 'user', content: text }] },
      { headers: { 'X-Hermes-Session-Id': 'e2e-skills' } },
    )
  ).choices[0]?.message.content ?? '';

it('lists skills in /help, runs /<skill> with its instructions, and lets the model load one with skill_view', async () => {
  expect(gateway.output()).toMatch(/broken\/SKILL\.md: no front matter[^\n]*skill not loaded/);
  expect(await ask('/help')).toContain('/haiku — skill: Answer in one haiku');

  fake.script(step.text('Rain on the window'));
  expect(await ask('/haiku about rain')).toBe('Rain on the window');
  const sent = JSON.stringify(fake.requests.at(-1)!.body.messages);
  expect(sent).toContain('Use the skill \\"haiku\\"');
  expect(sent).toContain('5, 7 and 5 syllables');
  expect(sent).toContain('Request: about rain');

  fake.script(step.toolCall('skill_view', { name: 'haiku' }), step.text('Loaded it.'));
  expect(await ask('write me something short')).toBe('Loaded it.');
  const [first, second] = fake.requests.slice(-2);
  const tool = (first!.body.tools as Array<{ function: { name: string; description: string } }>).find(
    (t) => t.function.name === 'skill_view',
  );
  expect(tool?.function.description).toContain('- haiku: Answer in one haiku');
  const toolResult = second!.body.messages.find((m) => m.role === 'tool');
  expect(String(toolResult?.content)).toContain('# Skill: haiku');
  expect(String(toolResult?.content)).toContain('syllables.txt');
});
