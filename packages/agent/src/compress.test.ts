import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from './agent.js';
import { SUMMARY_PREFIX } from './compress.js';
import { type FakeOpenAI, startFakeOpenAI } from './testing/fake-openai.js';
import { openAIErrors, step } from './testing/steps.js';
import type { ChatMessage } from './types.js';

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

const history: ChatMessage[] = [
  { role: 'user', content: 'Set up the project in /srv/app' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [
      {
        id: 'c1',
        type: 'function',
        function: { name: 'terminal', arguments: '{"command":"mkdir /srv/app"}' },
      },
    ],
  },
  { role: 'tool', tool_call_id: 'c1', content: '{"exit_code":0,"output":""}' },
  { role: 'assistant', content: 'Created /srv/app.' },
  { role: 'user', content: 'Now add a README' },
  { role: 'assistant', content: 'Added README.md.' },
];

describe('agent.compress', () => {
  it('summarises the older turns and keeps the latest turn word for word', async () => {
    fake.script(
      step.text('User is setting up /srv/app; directory created.', {
        promptTokens: 80,
        completionTokens: 12,
      }),
    );
    const agent = createAgent({ baseURL: fake.baseURL, apiKey: 'k', model: 'm', maxRetries: 0 });
    const r = await agent.compress({ history, signal: new AbortController().signal, focus: 'paths' });
    if (!r.ok) throw new Error(r.message);
    expect(r.messages).toEqual([
      { role: 'user', content: `${SUMMARY_PREFIX}\nUser is setting up /srv/app; directory created.` },
      { role: 'user', content: 'Now add a README' },
      { role: 'assistant', content: 'Added README.md.' },
    ]);
    expect(r.before.messages).toBe(6);
    expect(r.after.messages).toBe(3);
    expect(r.usage).toMatchObject({ model: 'm', promptTokens: 80, completionTokens: 12, apiCalls: 1 });
    const sent = fake.requests[0]?.body;
    expect(sent?.stream).toBe(false);
    expect(String(sent?.messages[0]?.content)).toContain('Pay particular attention to: paths');
    expect(String(sent?.messages[1]?.content)).toContain('mkdir /srv/app');
    expect(String(sent?.messages[1]?.content)).not.toContain('Now add a README');
  });

  it('refuses short conversations without calling the model', async () => {
    const agent = createAgent({ baseURL: fake.baseURL, apiKey: 'k', model: 'm' });
    const r = await agent.compress({ history: history.slice(4), signal: new AbortController().signal });
    expect(r).toEqual({ ok: false, code: 'not_enough', message: 'Not enough conversation to compress.' });
    expect(fake.requests).toHaveLength(0);
  });

  it('maps provider errors and the no-model case', async () => {
    fake.script(openAIErrors.unauthorized());
    const agent = createAgent({ baseURL: fake.baseURL, apiKey: 'k', model: 'm', maxRetries: 0 });
    const r = await agent.compress({ history, signal: new AbortController().signal });
    expect(r).toMatchObject({ ok: false, code: 'auth_failed' });
    const none = await createAgent({}).compress({ history, signal: new AbortController().signal });
    expect(none).toMatchObject({ ok: false, code: 'no_model' });
  });
});
