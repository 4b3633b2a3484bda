import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  closeServer,
  hardenServer,
  type Logger,
  listenOn,
  parseJsonBounded,
  readBody,
  requestPath,
  secretsEqual,
  sendJson,
  serverAddress,
  TokenBucket,
} from '@hermes/adapter-core';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { FeishuConfig } from './config.js';
import { FEISHU_ENV } from './config.js';
import { FEISHU_PLATFORM, FEISHU_WEBHOOK_MAX_BODY_BYTES, FEISHU_WEBHOOK_RATE_LIMIT } from './constants.js';
import { decryptFeishuEvent, feishuSignature } from './webhook-crypto.js';

export interface FeishuWebhookServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface FeishuWebhookOptions {
  config: FeishuConfig;
  dispatcher: lark.EventDispatcher;
  logger: Logger;
  onRequest?(): void;
}

const READ_TIMEOUT_MS = 30_000;
const MAX_BUCKETS = 4096;

/**
 * Webhook mode: Feishu POSTs events to FEISHU_WEBHOOK_PATH. The body is capped at 1 MB, JSON only,
 * the X-Lark-Signature checked in constant time when an encrypt key is set, `{encrypt}` bodies
 * decrypted, `url_verification` answered only with the right verification token, and each
 * (path, address) limited to 120 requests a minute. Events then go to the same dispatcher as the long
 * connection.
 */
export async function startFeishuWebhookServer(o: FeishuWebhookOptions): Promise<FeishuWebhookServer> {
  const { config, logger } = o;
  const buckets = new Map<string, TokenBucket>();
  const bucketFor = (key: string): TokenBucket => {
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value as string);
      bucket = new TokenBucket({
        capacity: FEISHU_WEBHOOK_RATE_LIMIT.requests,
        refillPerSecond: FEISHU_WEBHOOK_RATE_LIMIT.requests / (FEISHU_WEBHOOK_RATE_LIMIT.perMs / 1000),
      });
      buckets.set(key, bucket);
    }
    return bucket;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestPath(req);
    if (path !== config.webhookPath) return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (!bucketFor(`${path}|${req.socket.remoteAddress ?? ''}`).tryTake())
      return sendJson(res, 429, { error: 'rate limited: 120 requests per minute' }, { 'retry-after': '30' });
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) return sendJson(res, 415, { error: 'send application/json' });
    const read = await readBody(req, FEISHU_WEBHOOK_MAX_BODY_BYTES, READ_TIMEOUT_MS);
    if (read.kind === 'too_large')
      return sendJson(res, 413, { error: 'body over 1 MB' }, { connection: 'close' });
    if (read.kind !== 'ok')
      return sendJson(res, 408, { error: 'body not received in time' }, { connection: 'close' });
    const raw = read.body.toString('utf8');
    if (config.encryptKey) {
      const timestamp = String(req.headers['x-lark-request-timestamp'] ?? '');
      const nonce = String(req.headers['x-lark-request-nonce'] ?? '');
      const signature = String(req.headers['x-lark-signature'] ?? '');
      if (!signature || !secretsEqual(signature, feishuSignature(timestamp, nonce, config.encryptKey, raw))) {
        logger.warn('Feishu webhook: signature mismatch (request refused)');
        return sendJson(res, 401, { error: 'bad signature' });
      }
    }
    const parsed = parseJsonBounded(raw);
    if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) {
      logger.warn('Feishu webhook: body is not a JSON object', {
        problem: parsed.ok ? 'not an object' : parsed.message,
      });
      return sendJson(res, 400, { error: 'body must be a JSON object' });
    }
    let body = parsed.value as Record<string, unknown>;
    if (typeof body['encrypt'] === 'string') {
      if (!config.encryptKey) {
        logger.warn(`Feishu webhook: encrypted body but no key; set ${FEISHU_ENV.encryptKey}`);
        return sendJson(res, 400, { error: 'encrypted body, no key configured' });
      }
      try {
        const inner = parseJsonBounded(decryptFeishuEvent(body['encrypt'], config.encryptKey));
        if (!inner.ok || typeof inner.value !== 'object' || inner.value === null) throw new Error('not JSON');
        body = inner.value as Record<string, unknown>;
      } catch {
        logger.warn('Feishu webhook: cannot decrypt the body (wrong FEISHU_ENCRYPT_KEY?)');
        return sendJson(res, 400, { error: 'cannot decrypt' });
      }
    }
    const token = String(body['token'] ?? (body['header'] as { token?: unknown } | undefined)?.token ?? '');
    const tokenOk = config.verificationToken !== undefined && secretsEqual(token, config.verificationToken);
    if (body['type'] === 'url_verification') {
      if (!tokenOk) {
        logger.warn(
          `Feishu webhook: url_verification with a wrong token (check ${FEISHU_ENV.verificationToken})`,
        );
        return sendJson(res, 401, { error: 'verification token mismatch' });
      }
      return sendJson(res, 200, { challenge: body['challenge'] });
    }
    // Without a signing key the verification token is the only proof the event comes from Feishu.
    if (config.verificationToken !== undefined && !tokenOk) {
      logger.warn('Feishu webhook: event with a wrong verification token (refused)');
      return sendJson(res, 401, { error: 'verification token mismatch' });
    }
    o.onRequest?.();
    try {
      const answer = await o.dispatcher.invoke(body, { needCheck: false });
      sendJson(res, 200, typeof answer === 'object' && answer !== null ? answer : {});
    } catch (error) {
      logger.error('Feishu webhook: event handler failed', { error: (error as Error).message });
      sendJson(res, 500, { error: 'handler failed' });
    }
  };

  const server = hardenServer(
    createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        logger.error('Feishu webhook: request failed', { error: (error as Error).message });
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      });
    }),
  );
  server.requestTimeout = READ_TIMEOUT_MS;
  await listenOn(server, config.webhookHost, config.webhookPort, {
    platform: FEISHU_PLATFORM,
    hostEnv: FEISHU_ENV.webhookHost,
    portEnv: FEISHU_ENV.webhookPort,
  });
  const address = serverAddress(server);
  return {
    url: `${address?.url ?? `http://${config.webhookHost}:${config.webhookPort}`}${config.webhookPath}`,
    close: () => closeServer(server),
  };
}
