import type { Socket } from 'node:net';
import { waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import {
  chatBody,
  KEY,
  openaiClient,
  openSocket,
  postJson,
  socketReceives,
  startHost,
} from '../test/harness.js';

// Run slots are for runs: a client that leaves frees its slot at once (issue 8, finding 4), and a
// client still uploading does not hold one (finding 10).

describe('client disconnects', () => {
  it('aborts request.signal and frees the slot at once, so another session gets in at max_concurrent_runs=1', async () => {
    const host = await startHost({
      config: { maxConcurrentRuns: 1 },
      reply: (m) => (m.text === 'hold' ? undefined : `done ${m.text}`),
    });
    for (const stream of [false, true]) {
      const controller = new AbortController();
      const pending = fetch(`${host.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${KEY}`,
          'content-type': 'application/json',
          'x-hermes-session-id': `leaver-${stream}`,
        },
        body: chatBody('hold', { stream }),
        signal: controller.signal,
      }).then((res) => res.text());
      const message = await waitFor(() => host.received.find((m) => m.chat.chatId === `leaver-${stream}`), {
        what: 'the request to reach the host',
      });
      const signal = message.request?.signal;
      expect(signal?.aborted).toBe(false);
      controller.abort();
      await pending.catch(() => undefined);
      await waitFor(() => signal?.aborted, { what: 'request.signal to abort after the disconnect' });
      expect(signal?.reason).toBe('client_disconnected');
      expect(host.adapter.inFlight).toBe(0);
      const other = await openaiClient(host, {
        headers: { 'X-Hermes-Session-Id': `next-${stream}` },
      }).chat.completions.create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'next' }] });
      expect(other.choices[0]?.message.content).toBe('done next');
    }
  });
});

describe('slow request bodies', () => {
  it('do not hold run slots: N slow uploads at max_concurrent_runs=N leave room for a fast client', async () => {
    const slots = 2;
    const host = await startHost({ config: { maxConcurrentRuns: slots } });
    const port = host.adapter.address?.port;
    const slow: Socket[] = [];
    try {
      for (let i = 0; i < slots; i++) {
        const socket = await openSocket(host);
        slow.push(socket);
        const headersAnswered = socketReceives(socket, '100 Continue');
        // `Expect: 100-continue` makes the server say when it has the headers and has called its handler.
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${KEY}\r\n` +
            `Content-Type: application/json\r\nContent-Length: 4000\r\nX-Hermes-Session-Id: slow-${i}\r\n` +
            'Expect: 100-continue\r\n\r\n',
        );
        await headersAnswered;
        socket.write('{"model":"hermes-agent","messages":[');
      }
      expect(host.adapter.inFlight).toBe(0);
      const fast = await postJson(host, '/v1/chat/completions', chatBody('fast'));
      expect(fast.status).toBe(200);
      expect(fast.json).toMatchObject({ choices: [{ message: { content: 'echo: fast' } }] });
      expect(host.received.map((m) => m.text)).toEqual(['fast']);
    } finally {
      for (const socket of slow) socket.destroy();
    }
  });
});
