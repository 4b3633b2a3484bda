// The openai client over the undici transport: each behaviour the client relies on from fetch.
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  RateLimitError,
} from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../testing/fake-openai.js';
import { openAIErrors, step } from '../testing/steps.js';
import { startServer, within } from './loopback-servers.js';
import { createModelFetch, type FetchFunction, type ModelFetch } from './model-fetch.js';

let fake: FakeOpenAI;
let transport: ModelFetch;

beforeEach(async () => {
  fake = await startFakeOpenAI();
  transport = createModelFetch();
});
afterEach(async () => {
  await fake.close();
  await transport.close();
});

function client(o: { baseURL?: string; timeout?: number; maxRetries?: number; fetch?: FetchFunction } = {}) {
  return new OpenAI({
    baseURL: o.baseURL ?? fake.baseURL,
    apiKey: 'sk-test',
    fetch: o.fetch ?? transport.fetch,
    maxRetries: o.maxRetries ?? 0,
    timeout: o.timeout ?? 10_000,
  });
}

const ask = { model: 'fake-model', messages: [{ role: 'user' as const, content: 'hi' }] };

async function failure(promise: Promise<unknown>, label: string): Promise<unknown> {
  return within(
    promise.then(
      () => undefined,
      (e: unknown) => e,
    ),
    10_000,
    label,
  );
}

describe('openai client over createModelFetch', () => {
  it('completes a non-streaming request, with the request id', async () => {
    fake.script(step.text('Hello there.'));
    const { data, request_id } = await client().chat.completions.create(ask).withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello there.');
    expect(request_id).toMatch(/^req_/);
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('delivers streamed chunks as they arrive, not when the response ends', async () => {
    fake.script(step.stream(['one ', 'two ', 'three'], { delayMs: 250 }));
    const stream = await client().chat.completions.create({ ...ask, stream: true });
    const arrivals: Array<{ text: string; at: number }> = [];
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (text) arrivals.push({ text, at: performance.now() });
    }
    expect(arrivals.map((a) => a.text)).toEqual(['one ', 'two ', 'three']);
    // The server spaces the chunks 250 ms apart; a buffered body would hand them over together.
    const first = arrivals[0]?.at ?? 0;
    const last = arrivals[2]?.at ?? 0;
    expect(last - first).toBeGreaterThan(350);
  });

  it('an abort before the request is an APIUserAbortError and sends nothing', async () => {
    const error = await failure(
      client().chat.completions.create(ask, { signal: AbortSignal.abort() }),
      'abort',
    );
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(fake.requests).toHaveLength(0);
  });

  it('an abort while waiting for the answer is an APIUserAbortError', async () => {
    fake.script(step.hang());
    const controller = new AbortController();
    const call = failure(client().chat.completions.create(ask, { signal: controller.signal }), 'abort');
    await fake.waitForRequests(1);
    controller.abort();
    expect(await call).toBeInstanceOf(APIUserAbortError);
  });

  it('an interrupt mid-stream ends the stream at once, without the rest of the answer', async () => {
    fake.script(step.stream(['first ', 'second ', 'third'], { delayMs: 2000 }));
    // The first content chunk is 2 s away: the role chunk comes at once, so interrupt after it.
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      { ...ask, stream: true },
      { signal: controller.signal },
    );
    const started = performance.now();
    const texts: string[] = [];
    const consumed = (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.role) controller.abort();
        const text = chunk.choices[0]?.delta.content;
        if (text) texts.push(text);
      }
    })();
    await within(
      consumed.catch((e: unknown) => expect(e).toBeInstanceOf(APIUserAbortError)),
      5000,
      'stream end',
    );
    expect(texts).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("the client's timeout is an APIConnectionTimeoutError, retried like any timeout", async () => {
    fake.script(step.hang(), step.hang());
    const error = await failure(
      client({ timeout: 300, maxRetries: 1 }).chat.completions.create(ask),
      'timeout',
    );
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(fake.requests).toHaveLength(2);
  });

  it('a refused connection is an APIConnectionError after the retries', async () => {
    const closed = await startServer(() => {});
    await closed.close();
    let calls = 0;
    const counting: FetchFunction = (input, init) => {
      calls++;
      return transport.fetch(input, init);
    };
    const error = await failure(
      client({ baseURL: `${closed.url}/v1`, maxRetries: 2, fetch: counting }).chat.completions.create(ask),
      'refused',
    );
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(calls).toBe(3);
  });

  it('a 429 with retry-after is retried after that wait', async () => {
    fake.script(openAIErrors.rateLimited(1), step.text('after the wait'));
    const completion = await within(client({ maxRetries: 1 }).chat.completions.create(ask), 10_000, 'retry');
    expect(completion.choices[0]?.message.content).toBe('after the wait');
    const [first, second] = fake.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('a 429 with no retries left is a RateLimitError carrying the headers', async () => {
    fake.script(openAIErrors.rateLimited(7));
    const error = await failure(client().chat.completions.create(ask), '429');
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get('retry-after')).toBe('7');
  });

  it('repeated response headers reach the caller joined, set-cookie kept apart', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, [
        ['content-type', 'application/json'],
        ['x-multi', 'a'],
        ['x-multi', 'b'],
        ['set-cookie', 'c=1'],
        ['set-cookie', 'd=2'],
      ]);
      res.end(
        JSON.stringify({ object: 'list', data: [{ id: 'm1', object: 'model', created: 0, owned_by: 'x' }] }),
      );
    });
    try {
      const { response } = await client({ baseURL: `${server.url}/v1` })
        .models.list()
        .withResponse();
      expect(response.headers.get('x-multi')).toBe('a, b');
      expect(response.headers.getSetCookie()).toEqual(['c=1', 'd=2']);
    } finally {
      await server.close();
    }
  });
});
