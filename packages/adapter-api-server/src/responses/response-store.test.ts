import type { ResponseRecordStore } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { KEY, openaiClient, postJson, startHost } from '../../test/harness.js';
import { apiServerConfigFromEnv } from '../config.js';
import { apiServerDescriptor } from '../descriptor.js';
import {
  type ApiServerResponseStore,
  InMemoryResponseStore,
  responseScope,
  responseStoreFromRecords,
} from './response-store.js';

/**
 * Records kept only as JSON text and answered a macrotask later, as a database or a remote store would:
 * nothing the adapter stores may depend on object identity or synchronous answers.
 */
function jsonRecords(): ResponseRecordStore & { rows: Map<string, { scope: string; json: string }> } {
  const rows = new Map<string, { scope: string; json: string }>();
  const later = () => new Promise((resolve) => setTimeout(resolve, 5));
  return {
    rows,
    async get(id, scope) {
      await later();
      const row = rows.get(id);
      return row?.scope === scope ? row.json : undefined;
    },
    async put(id, scope, json) {
      await later();
      rows.set(id, { scope, json: JSON.parse(JSON.stringify(json)) as string });
    },
  };
}

const OTHER_KEY = 'another-key-9876543210';

describe('stored responses through a pluggable store', () => {
  it('chains, streams and reads back through a store that keeps only JSON text', async () => {
    const records = jsonRecords();
    const host = await startHost({
      reply: (m, r) => `turn ${r.history.length / 2 + 1}: ${m.text}`,
      adapterOptions: { responseStore: responseStoreFromRecords(records) },
    });
    const client = openaiClient(host);
    const first = await client.responses.create({ input: 'my name is Ada' });
    expect(records.rows.has(first.id)).toBe(true);
    expect(typeof records.rows.get(first.id)?.json).toBe('string');

    // Streamed: a follow-up sent the moment `response.completed` arrives must find the response stored.
    const stream = await client.responses.create({
      input: 'remember it',
      previous_response_id: first.id,
      stream: true,
    });
    let secondId = '';
    for await (const event of stream) if (event.type === 'response.completed') secondId = event.response.id;
    const third = await client.responses.create({
      input: 'what is my name?',
      previous_response_id: secondId,
    });
    expect(third.output_text).toBe('turn 3: what is my name?');
    expect(host.received[2]?.request?.history).toEqual([
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: 'turn 1: my name is Ada' },
      { role: 'user', content: 'remember it' },
      { role: 'assistant', content: 'turn 2: remember it' },
    ]);
    const fetched = await client.responses.retrieve(third.id);
    expect(fetched).toMatchObject({ id: third.id, previous_response_id: secondId, status: 'completed' });
    expect(fetched.output_text).toBe('turn 3: what is my name?');
    // The key itself never reaches the store, only its fingerprint.
    for (const row of records.rows.values()) {
      expect(row.scope).toBe(responseScope(KEY));
      expect(row.json).not.toContain(KEY);
    }
    expect(responseScope(KEY)).not.toContain(KEY);
  });

  it('store: false never reaches the store', async () => {
    const records = jsonRecords();
    const host = await startHost({ adapterOptions: { responseStore: responseStoreFromRecords(records) } });
    const unstored = await openaiClient(host).responses.create({ input: 'secret', store: false });
    expect(unstored.output_text).toBe('echo: secret');
    expect(unstored).toMatchObject({ store: false });
    expect(records.rows.size).toBe(0);
  });

  it("a server with another key reads none of the first key's responses, and says so like an unknown id", async () => {
    const records = jsonRecords();
    const shared = { responseStore: responseStoreFromRecords(records) };
    const a = await startHost({ adapterOptions: shared });
    const b = await startHost({ adapterOptions: shared, config: { key: OTHER_KEY } });
    const mine = await openaiClient(a).responses.create({ input: 'private' });
    const other = openaiClient(b, { key: OTHER_KEY });
    const read = await other.responses.retrieve(mine.id).catch((e: unknown) => e);
    expect(read).toMatchObject({ status: 404, code: 'response_not_found' });
    const chained = await other.responses
      .create({ input: 'x', previous_response_id: mine.id })
      .catch((e: unknown) => e);
    expect(chained).toMatchObject({
      status: 404,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
    const unknown = await other.responses
      .create({ input: 'x', previous_response_id: 'resp_never' })
      .catch((e: unknown) => e);
    expect((unknown as Error).message.replace('resp_never', mine.id)).toBe((chained as Error).message);
    expect(b.received).toHaveLength(0);
    // The right key still reads it.
    expect((await openaiClient(a).responses.retrieve(mine.id)).output_text).toBe('echo: private');
  });

  it('forgets the oldest beyond maxStoredResponses; an evicted id is a 404 naming previous_response_id', async () => {
    const host = await startHost({ config: { maxStoredResponses: 2 } });
    const client = openaiClient(host);
    const first = await client.responses.create({ input: 'one' });
    await client.responses.create({ input: 'two' });
    await client.responses.create({ input: 'three' });
    const res = await postJson(
      host,
      '/v1/responses',
      JSON.stringify({ input: 'four', previous_response_id: first.id }),
    );
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({
      error: {
        type: 'invalid_request_error',
        code: 'previous_response_not_found',
        param: 'previous_response_id',
      },
    });
    expect((res.json as { error: { message: string } }).error.message).toContain('the newest 2 are kept');
    expect(host.received).toHaveLength(3);
  });

  it('forgets a response older than the retention age', async () => {
    let now = 1_000_000;
    const store = new InMemoryResponseStore({ maxResponses: 10, maxAgeMs: 60_000 }, () => now);
    const host = await startHost({ adapterOptions: { responseStore: store } });
    const client = openaiClient(host);
    const kept = await client.responses.create({ input: 'hello' });
    now += 59_000;
    expect((await client.responses.retrieve(kept.id)).id).toBe(kept.id);
    now += 2_000;
    await expect(client.responses.retrieve(kept.id)).rejects.toMatchObject({ status: 404 });
  });

  it('a store that fails to read is a 503 retry, and one that fails to write still answers', async () => {
    const broken: ApiServerResponseStore = {
      get: () => Promise.reject(new Error('disk gone')),
      put: () => Promise.reject(new Error('disk gone')),
    };
    const host = await startHost({ adapterOptions: { responseStore: broken } });
    const client = openaiClient(host);
    const answered = await client.responses.create({ input: 'still here' });
    expect(answered.output_text).toBe('echo: still here');
    await expect(
      client.responses.create({ input: 'x', previous_response_id: answered.id }),
    ).rejects.toMatchObject({ status: 503, code: 'response_store_unavailable' });
    await expect(client.responses.retrieve(answered.id)).rejects.toMatchObject({
      status: 503,
      code: 'response_store_unavailable',
    });
    // The server goes on.
    expect((await client.responses.create({ input: 'again' })).output_text).toBe('echo: again');
  });

  it('the descriptor hands the host-offered store the configured retention', async () => {
    const config = apiServerConfigFromEnv(
      { API_SERVER_RESPONSES_MAX_STORED: '7', API_SERVER_RESPONSES_MAX_AGE_DAYS: '2' },
      {},
    );
    expect(config).toMatchObject({ maxStoredResponses: 7, storedResponseMaxAgeMs: 2 * 86_400_000 });
    const fromFile = apiServerConfigFromEnv(
      {},
      { max_stored_responses: 50, stored_responses_max_age_days: 0.5 },
    );
    expect(fromFile).toMatchObject({ maxStoredResponses: 50, storedResponseMaxAgeMs: 43_200_000 });
    expect(() => apiServerConfigFromEnv({ API_SERVER_RESPONSES_MAX_AGE_DAYS: 'soon' })).toThrow(
      /API_SERVER_RESPONSES_MAX_AGE_DAYS .* must be a positive number of days, got "soon"/,
    );
    const asked: unknown[] = [];
    const adapter = apiServerDescriptor.createAdapter(config, {
      openResponseStore: (retention) => {
        asked.push(retention);
        return jsonRecords();
      },
    });
    expect(asked).toEqual([{ maxResponses: 7, maxAgeMs: 2 * 86_400_000 }]);
    expect(adapter.platform).toBe('api_server');
  });
});
