import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { discardRest, type Logger, listenOn, readBody, secretsEqual } from '@hermes/adapter-core';
import { TELEGRAM_PLATFORM, TELEGRAM_SECRET_HEADER, TELEGRAM_WEBHOOK_MAX_BODY_BYTES } from '../constants.js';

export interface TelegramWebhookServerOptions {
  host: string;
  port: number;
  path: string;
  secret: string;
  logger: Logger;
  /**
   * Handles one update synchronously and persists what must survive. Returning normally answers 200;
   * a throw answers 500 so that Telegram delivers the update again later.
   */
  /** Settles once the update is recorded; Telegram gets its 200 only then (a 500 makes it deliver again). */
  onUpdate(update: unknown): void | Promise<void>;
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The local end of webhook mode. Every request must carry the secret token Telegram was given in
 * setWebhook (compared in constant time); the answer is sent only after the update was handed to the host,
 * so a crash before that makes Telegram retry instead of losing it.
 */
export class TelegramWebhookServer {
  readonly #o: TelegramWebhookServerOptions;
  #server: Server | undefined;

  constructor(options: TelegramWebhookServerOptions) {
    this.#o = options;
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const address = this.#server?.address();
    return typeof address === 'object' && address !== null ? address.port : this.#o.port;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.requestTimeout = 30_000;
    server.headersTimeout = 15_000;
    await listenOn(server, this.#o.host, this.#o.port, {
      platform: TELEGRAM_PLATFORM,
      hostEnv: 'TELEGRAM_WEBHOOK_HOST',
      portEnv: 'TELEGRAM_WEBHOOK_PORT',
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const log = this.#o.logger;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== this.#o.path) {
      discardRest(req);
      return answer(res, 404, 'not found');
    }
    const given = req.headers[TELEGRAM_SECRET_HEADER];
    if (typeof given !== 'string' || !secretsEqual(given, this.#o.secret)) {
      discardRest(req);
      log.warn('Telegram webhook call refused: missing or wrong secret token', {
        remote: req.socket.remoteAddress,
      });
      return answer(res, 401, 'unauthorized');
    }
    const body = await readBody(req, TELEGRAM_WEBHOOK_MAX_BODY_BYTES, 15_000);
    if (body.kind !== 'ok') {
      if (body.kind === 'too_large') discardRest(req);
      log.warn(`Telegram webhook body not read: ${body.kind}`, { kind: body.kind });
      return answer(res, body.kind === 'too_large' ? 413 : 400, body.kind);
    }
    let update: unknown;
    try {
      update = JSON.parse(body.body.toString('utf8'));
    } catch {
      log.warn('Telegram webhook body is not JSON; ignored', { bytes: body.body.length });
      return answer(res, 400, 'body is not JSON');
    }
    try {
      await this.#o.onUpdate(update);
    } catch (error) {
      log.error('Telegram webhook update not recorded; Telegram will deliver it again', {
        error: error instanceof Error ? error.message : String(error),
      });
      return answer(res, 500, 'not recorded');
    }
    answer(res, 200, 'ok');
  }
}
