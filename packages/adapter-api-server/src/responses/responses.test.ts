import { describe, expect, it } from 'vitest';
import { openaiClient, postJson, startHost } from '../../test/harness.js';

describe('POST /v1/responses (official openai client responses.create)', () => {
  it('answers a request and chains a follow-up through previous_response_id', async () => {
    const host = await startHost({
      reply: (m, r) => `turn ${r.history.length / 2 + 1}: ${m.text}`,
    });
    const client = openaiClient(host);
    const first = await client.responses.create({
      model: 'hermes-agent',
      input: 'my name is Ada',
      instructions: 'Be brief.',
    });
    expect(first.id).toMatch(/^resp_/);
    expect(first.status).toBe('completed');
    expect(first.output_text).toBe('turn 1: my name is Ada');
    expect(first.instructions).toBe('Be brief.');
    expect(host.received[0]?.request?.system).toEqual(['Be brief.']);

    const second = await client.responses.create({
      input: 'what is my name?',
      previous_response_id: first.id,
    });
    expect(second.output_text).toBe('turn 2: what is my name?');
    expect(second.previous_response_id).toBe(first.id);
    // The chain is the conversation: the host sees the first exchange as history; instructions do not carry over.
    expect(host.received[1]?.request?.history).toEqual([
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: 'turn 1: my name is Ada' },
    ]);
    expect(host.received[1]?.request?.system).toEqual([]);

    const fetched = await client.responses.retrieve(second.id);
    expect(fetched.output_text).toBe('turn 2: what is my name?');
  });

  it('streams the Responses events in order, deltas adding up to the answer', async () => {
    const host = await startHost({ reply: () => 'one two three' });
    const stream = await openaiClient(host).responses.create({ input: 'count', stream: true });
    const types: string[] = [];
    let deltas = '';
    let completedText = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') {
        const [item] = event.response.output;
        completedText =
          item?.type === 'message' && item.content[0]?.type === 'output_text' ? item.content[0].text : '';
      }
    }
    expect(deltas).toBe('one two three');
    expect(completedText).toBe('one two three');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(1);
    for (const t of [
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.output_item.done',
    ])
      expect(types).toContain(t);
  });

  it('store: false is answered but never kept; an unknown previous_response_id is a 404 naming the parameter', async () => {
    const host = await startHost();
    const client = openaiClient(host);
    const unstored = await client.responses.create({ input: 'secret', store: false });
    expect(unstored.output_text).toBe('echo: secret');
    await expect(client.responses.retrieve(unstored.id)).rejects.toMatchObject({ status: 404 });
    await expect(
      client.responses.create({ input: 'x', previous_response_id: unstored.id }),
    ).rejects.toMatchObject({
      status: 404,
      param: 'previous_response_id',
    });
  });

  it('refuses a body without a user message, and a wrong model, with OpenAI error bodies', async () => {
    const host = await startHost();
    const noUser = await postJson(
      host,
      '/v1/responses',
      JSON.stringify({ input: [{ role: 'assistant', content: 'hi' }] }),
    );
    expect(noUser.status).toBe(400);
    expect(noUser.json).toMatchObject({ error: { code: 'invalid_request', param: 'input' } });
    const wrongModel = await postJson(host, '/v1/responses', JSON.stringify({ model: 'gpt-5', input: 'hi' }));
    expect(wrongModel.status).toBe(404);
    expect(wrongModel.json).toMatchObject({ error: { code: 'model_not_found' } });
  });
});
