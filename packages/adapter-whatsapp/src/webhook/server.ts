import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  discardRest,
  FailedAuthLimiter,
  hardenServer,
  type Logger,
  parseJsonBounded,
  readBody,
  requestPath,
  secretsEqual,
  sendJson,
} from '@hermes/adapter-core';
import type { WhatsappConfig } from '../config.js';
import { parseWhatsappWebhook, type WhatsappWebhookParse } from '../inbound.js';
import { verifyWhatsappSignature } from './signature.js';

/** How long a sender gets to deliver the body once the headers are in. */
const BODY_TIMEOUT_MS = 10_000;

export interface WebhookServerDeps {
  config: WhatsappConfig;
  logger: Logger;
  /**
   * Handles one verified, parsed batch. Resolves false when part of it could not be handed to the host:
   * the answer is then 500, so Meta retries the batch (what was handed over is deduped on the retry).
   */
  onBatch(batch: Extract<WhatsappWebhookParse, { ok: true }>): Promise<boolean>;
}

type Refusal = { status: number; error: string };

/**
 * The webhook endpoint Meta calls: `GET <path>` answers the verification handshake, `POST <path>` takes
 * signed `messages` notifications. Refusals are cheapest first (size, signature, JSON); each gets a JSON
 * `{ error }` that names the problem, and nothing logs the body.
 */
export function createWhatsappWebhookServer(deps: WebhookServerDeps): Server {
  const failures = new FailedAuthLimiter({ perMinute: deps.config.authFailuresPerMinute });
  const server = createServer(
    { requestTimeout: BODY_TIMEOUT_MS + 5_000, headersTimeout: 15_000 },
    (req, res) => {
      handle(req, res, deps, failures).catch((error: unknown) => {
        deps.logger.error('WhatsApp webhook request failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        sendJson(res, 500, { error: 'internal error; the delivery will be retried' });
      });
    },
  );
  return hardenServer(server);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  deps: WebhookServerDeps,
  failures: FailedAuthLimiter,
): Promise<void> {
  const path = requestPath(req);
  const refuse = (r: Refusal, level: 'warn' | 'debug' = 'warn') => {
    deps.logger[level]('WhatsApp webhook refused', { status: r.status, reason: r.error, method: req.method });
    discardRest(req);
    sendJson(res, r.status, { error: r.error });
  };
  if (path === undefined) return refuse({ status: 400, error: 'the request target is not a valid path' });
  if (path === '/health' && req.method === 'GET')
    return sendJson(res, 200, { status: 'ok', platform: 'whatsapp' });
  if (path !== deps.config.webhookPath) {
    return refuse(
      { status: 404, error: `no such endpoint; Meta must call ${deps.config.webhookPath}` },
      'debug',
    );
  }
  if (req.method === 'GET') return verifySubscription(req, res, deps, refuse);
  if (req.method !== 'POST') {
    res.setHeader('allow', 'GET, POST');
    return refuse({
      status: 405,
      error: `${req.method} is not allowed here (GET to verify, POST to deliver)`,
    });
  }

  const body = await readBody(req, deps.config.maxBodyBytes, BODY_TIMEOUT_MS);
  if (body.kind === 'aborted') return;
  if (body.kind === 'timeout')
    return refuse({ status: 408, error: 'the request body did not arrive in time' });
  if (body.kind === 'too_large') {
    return refuse({
      status: 413,
      error: `the body is larger than ${body.limit} bytes (raise maxBodyBytes if Meta really sends such batches)`,
    });
  }
  if (deps.config.appSecret !== undefined) {
    const verdict = verifyWhatsappSignature(req.headers, body.body, deps.config.appSecret);
    // The sender only learns that the signature is wrong; the reason is for the operator's log.
    if (!verdict.ok) {
      const client = req.socket.remoteAddress ?? 'unknown';
      discardRest(req);
      if (!failures.tryFail(client)) {
        deps.logger.debug('WhatsApp webhook signature rejected (address over its failure budget)', {
          client,
        });
        return sendJson(
          res,
          429,
          { error: `too many requests with an invalid signature (at most ${failures.perMinute} per minute)` },
          { 'retry-after': String(failures.retryAfterSeconds) },
        );
      }
      deps.logger.warn('WhatsApp webhook signature rejected', { reason: verdict.reason, client });
      return sendJson(res, 401, { error: 'invalid X-Hub-Signature-256' });
    }
  }
  const json = parseJsonBounded(body.body.toString('utf8'));
  if (!json.ok) return refuse({ status: 400, error: `the body is ${json.message}` });
  const value = json.value as { object?: unknown } | null;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof value.object === 'string' &&
    value.object !== 'whatsapp_business_account'
  ) {
    // Another product's webhook on the same Meta app: not ours, and a retry would not change that.
    deps.logger.warn('WhatsApp webhook for another Meta product ignored', {
      object: value.object.slice(0, 40),
    });
    return sendJson(res, 200, { status: 'ignored' });
  }
  const batch = parseWhatsappWebhook(json.value, deps.config.phoneNumberId);
  if (!batch.ok) return refuse({ status: 400, error: `not a WhatsApp messages webhook: ${batch.problem}` });
  const accepted = await deps.onBatch(batch);
  if (!accepted)
    return sendJson(res, 500, { error: 'the gateway could not accept every message; retry later' });
  sendJson(res, 200, { status: 'ok' });
}

/** Meta's subscription handshake: echo `hub.challenge` when `hub.verify_token` matches. */
function verifySubscription(
  req: IncomingMessage,
  res: ServerResponse,
  deps: WebhookServerDeps,
  refuse: (r: Refusal) => void,
) {
  const query = new URL(req.url ?? '/', 'http://request.invalid').searchParams;
  const mode = query.get('hub.mode');
  const token = query.get('hub.verify_token') ?? '';
  const challenge = query.get('hub.challenge');
  if (mode !== 'subscribe' || challenge === null) {
    return refuse({
      status: 400,
      error: 'expected hub.mode=subscribe with hub.challenge and hub.verify_token',
    });
  }
  if (!secretsEqual(token, deps.config.verifyToken)) {
    return refuse({ status: 403, error: 'hub.verify_token does not match WHATSAPP_VERIFY_TOKEN' });
  }
  deps.logger.info('WhatsApp webhook subscription verified');
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(challenge)),
  });
  res.end(challenge);
}
