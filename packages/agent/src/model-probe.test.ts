import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from './model-fetch/loopback-servers.js';
import { probeModel } from './model-probe.js';
import { type FakeOpenAI, startFakeOpenAI } from './testing/fake-openai.js';

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI({ models: ['fake-model', 'other'] });
});
afterEach(async () => {
  await fake.close();
});

describe('probeModel', () => {
  it('finds the model in the list', async () => {
    expect(await probeModel({ model: 'fake-model', baseURL: fake.baseURL, apiKey: 'k' })).toEqual({
      ok: true,
      detail: `${fake.baseURL} answers and lists fake-model`,
    });
  });

  it('names the models on offer when the configured one is missing', async () => {
    const result = await probeModel({ model: 'missing', baseURL: fake.baseURL, apiKey: 'k' });
    expect(result).toMatchObject({ ok: false, code: 'model_not_found' });
    expect(result.ok ? '' : result.message).toContain('fake-model, other');
  });

  it('reports an endpoint nobody listens on as a network failure', async () => {
    const closed = await startServer(() => {});
    await closed.close();
    const result = await probeModel({ model: 'fake-model', baseURL: `${closed.url}/v1`, timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, code: 'network' });
  });
});
