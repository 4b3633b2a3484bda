import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample } from '@hermes/adapter-testkit';
import OpenAI from 'openai';
import { afterEach, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(packageDir, 'README.md');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The example logs JSON lines; the listening one carries the URL of the free port it got. */
async function listeningUrl(example: ReturnType<typeof runReadmeExample>): Promise<string> {
  const out = await example.waitForOutput(/"msg":"api_server listening".*\n/, 15_000);
  const line = out.split('\n').find((l) => l.includes('"api_server listening"')) ?? '';
  const url = (JSON.parse(line) as { url?: unknown }).url;
  if (typeof url !== 'string') throw new Error(`no url in the listening line: ${line}`);
  return url;
}

it('the README example runs verbatim: the official client gets its answer, with the key it set', async () => {
  const key = `readme-${Math.random().toString(36).slice(2)}-key`;
  const example = runReadmeExample({
    packageDir,
    code: readmeExample(readme, /serve the API from your own bot/),
    env: { API_SERVER_PORT: '0', API_SERVER_KEY: key },
  });
  cleanups.push(() => example.stop());
  const url = await listeningUrl(example);
  expect(new URL(url).hostname).toBe('127.0.0.1');
  expect(new URL(url).port).not.toBe('8642'); // it took API_SERVER_PORT=0, not the fixed default

  const client = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0, timeout: 10_000 });
  const res = await client.chat.completions.create({
    model: 'hermes-agent',
    messages: [{ role: 'user', content: 'hi' }],
  });
  expect(res.choices[0]?.message.content).toBe('You said: hi');

  const stranger = new OpenAI({
    apiKey: 'not-the-key',
    baseURL: `${url}/v1`,
    maxRetries: 0,
    timeout: 10_000,
  });
  await expect(
    stranger.chat.completions.create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'hi' }] }),
  ).rejects.toMatchObject({ status: 401 });
  expect(example.output()).not.toContain(key);
});

it('the README example without a key still answers, on loopback only', async () => {
  const example = runReadmeExample({
    packageDir,
    code: readmeExample(readme, /serve the API from your own bot/),
    env: { API_SERVER_PORT: '0' },
  });
  cleanups.push(() => example.stop());
  const url = await listeningUrl(example);
  expect(new URL(url).hostname).toBe('127.0.0.1');
  const client = new OpenAI({ apiKey: 'unused', baseURL: `${url}/v1`, maxRetries: 0, timeout: 10_000 });
  const stream = await client.chat.completions.create({
    model: 'hermes-agent',
    messages: [{ role: 'user', content: 'stream me' }],
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  expect(text).toBe('You said: stream me');
});
