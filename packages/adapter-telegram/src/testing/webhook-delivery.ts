import { request } from 'node:http';
import type { FakeUpdateQueue } from './update-queue.js';

const RETRY_MS = 100;
const REQUEST_TIMEOUT_MS = 5_000;

function post(url: string, secret: string | undefined, body: string): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (secret !== undefined) headers['x-telegram-bot-api-secret-token'] = secret;
    const req = request(
      url,
      { method: 'POST', headers, agent: false, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/**
 * Telegram's side of webhook mode: while a webhook is set, pending updates are POSTed one at a time with
 * the secret-token header; a 2xx confirms an update, anything else is retried a little later. Only
 * http:// URLs on this machine are ever called: a public webhook URL is mapped onto `forwardTo`, the
 * way a reverse proxy maps it onto the bot's local port.
 */
export class WebhookDelivery {
  readonly deliveries: Array<{ updateId: number; status: number }> = [];
  readonly #queue: FakeUpdateQueue;
  readonly #target: () => { url: string; secret?: string } | undefined;
  /** Base URL that stands in for the public host of the webhook URL (what a reverse proxy would do). */
  forwardTo: string | undefined;
  #running = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(queue: FakeUpdateQueue, target: () => { url: string; secret?: string } | undefined) {
    this.#queue = queue;
    this.#target = target;
  }

  /** Starts delivering if a webhook is set and nothing is being delivered yet. */
  kick(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    void this.#loop().finally(() => {
      this.#running = false;
    });
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #loop(): Promise<void> {
    for (;;) {
      const target = this.#target();
      const next = this.#queue.peek();
      if (this.#closed || !target || !next) return;
      const url = this.forwardTo ? new URL(new URL(target.url).pathname, this.forwardTo).href : target.url;
      if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) return;
      const status = await post(url, target.secret, JSON.stringify(next.payload));
      this.deliveries.push({ updateId: next.id, status });
      if (status >= 200 && status < 300) {
        this.#queue.confirm(next.id + 1);
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#timer = setTimeout(resolve, RETRY_MS);
      });
    }
  }
}
