import { connect, type Socket } from 'node:net';
import { signedWebhook, type WebhookParams } from '../src/testing/index.js';

/** How one attempt of a webhook goes wrong (or not). */
export type AttemptFate =
  /** The connection dies halfway through the body: the adapter never has the whole request. */
  | 'cut-mid-body'
  /** The whole request goes out, then the connection dies as the answer starts: the adapter has acted. */
  | 'cut-before-answer'
  /** The answer arrives, but too late for Twilio's timeout: Twilio retries anyway. */
  | 'late-answer'
  | 'clean';

function rawRequest(port: number, path: string, headers: Record<string, string>, body: string) {
  const head = Object.entries({
    ...headers,
    host: `127.0.0.1:${port}`,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return `POST ${path} HTTP/1.1\r\n${head}\r\n\r\n`;
}

function withSocket<T>(
  port: number,
  run: (socket: Socket, done: (value: T) => void) => void,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`raw webhook attempt timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (value: T) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    socket.once('error', () => done(undefined as T));
    socket.once('connect', () => run(socket, done));
  });
}

/**
 * One webhook attempt over a raw socket with the given fate. Resolves with the status when an answer was
 * read in time, or undefined when the attempt failed from Twilio's side (so Twilio retries).
 */
export function attempt(
  url: string,
  authToken: string,
  params: WebhookParams,
  idempotencyToken: string,
  fate: AttemptFate,
): Promise<number | undefined> {
  const { port, pathname } = new URL(url);
  const signed = signedWebhook(authToken, url, params, { idempotencyToken });
  const head = rawRequest(Number(port), pathname, signed.headers, signed.body);
  return withSocket<number | undefined>(Number(port), (socket, done) => {
    if (fate === 'cut-mid-body') {
      socket.write(head + signed.body.slice(0, Math.floor(signed.body.length / 2)), () => done(undefined));
      return;
    }
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (fate === 'cut-before-answer') return done(undefined);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      // The adapter's answers are empty TwiML or one line of text: complete once either has arrived.
      const complete = answer.includes('</Response>') || /\r\n\r\n[\s\S]*\n$/.test(answer);
      if (status !== undefined && complete) done(fate === 'late-answer' ? undefined : Number(status));
    });
    socket.once('end', () =>
      done(fate === 'clean' ? Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]) || undefined : undefined),
    );
    socket.write(head + signed.body);
  });
}
