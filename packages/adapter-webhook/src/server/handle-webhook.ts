import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  DedupeCache,
  FailedAuthLimiter,
  InboundMessage,
  Logger,
  TokenBucket,
} from '@hermes/adapter-core';
import { discardRest, readBody } from '@hermes/adapter-core';
import type { WebhookConfig } from '../config.js';
import { buildWebhookMessage } from '../inbound-message.js';
import { type ConcreteScheme, verifyRequest } from '../signatures/verify.js';
import { defaultPromptTemplate, renderPrompt } from '../template.js';
import { deliveryIdOf, eventTypeOf } from './event-info.js';
import { parsePayload } from './payload.js';
import { replayKeys } from './replay-key.js';
import { respond } from './respond.js';
import type { ResolvedRoute } from './routes.js';

export interface WebhookHandlerDeps {
  config: WebhookConfig;
  logger: Logger;
  /** Redelivery keys already dispatched, per route. */
  seen: DedupeCache;
  bucketFor(route: string): TokenBucket;
  failedAuth: FailedAuthLimiter;
  dispatch(message: InboundMessage): void;
  nowSeconds(): number;
}

/**
 * `POST /webhooks/<route>`, in the order that keeps cheap refusals first: size, signature (failures
 * budgeted per client address), the route's rate limit (authenticated requests only), JSON, event
 * filter, redelivery; only then is the prompt rendered and handed to the host (202). Nothing here logs
 * the body: it is untrusted and may hold anything.
 */
export async function handleWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  route: ResolvedRoute,
  deps: WebhookHandlerDeps,
) {
  const { config, logger } = deps;
  const log = logger.child({ route: route.name });
  const client = req.socket.remoteAddress ?? 'unknown';
  const refuse = (status: number, error: string, headers: Record<string, string> = {}) => {
    log.warn('webhook refused', { status, reason: error });
    discardRest(req);
    respond(res, status, { error }, headers);
  };

  const body = await readBody(req, config.maxBodyBytes, config.bodyTimeoutMs);
  if (body.kind === 'aborted') return;
  if (body.kind === 'timeout') return refuse(408, 'request body not received in time');
  if (body.kind === 'too_large') return refuse(413, `body is larger than ${body.limit} bytes`);

  let scheme: ConcreteScheme | 'none' = 'none';
  let signedId: string | undefined;
  if (route.secret !== undefined) {
    const verdict = verifyRequest(route.config.scheme, {
      headers: req.headers,
      body: body.body,
      secret: route.secret,
      nowSeconds: deps.nowSeconds(),
      toleranceSeconds: config.timestampToleranceSeconds,
    });
    if (!verdict.ok) {
      if (!deps.failedAuth.tryFail(client)) {
        // Over budget: one line per failure would let the flood fill the log instead.
        log.debug('webhook signature rejected (address over its failure budget)', { client });
        const retryAfter = deps.failedAuth.retryAfterSeconds;
        return respond(
          res,
          429,
          {
            error: `too many requests with an invalid signature from this address (at most ${deps.failedAuth.perMinute} per minute); check the route's secret and scheme`,
          },
          { 'retry-after': String(retryAfter) },
        );
      }
      // The sender learns only "invalid signature"; the reason is for the operator.
      log.warn('webhook signature rejected', {
        scheme: verdict.scheme ?? 'none',
        reason: verdict.reason,
        client,
      });
      return respond(res, 401, { error: 'invalid signature' });
    }
    scheme = verdict.scheme;
    signedId = verdict.signedId;
  }

  if (!deps.bucketFor(route.name).tryTake()) {
    const retryAfter = String(Math.ceil(60 / config.rateLimitPerMinute));
    return refuse(429, `rate limit: at most ${config.rateLimitPerMinute} requests per minute on this route`, {
      'retry-after': retryAfter,
    });
  }

  const parsed = parsePayload(req.headers, body.body);
  if (!parsed.ok) return refuse(400, parsed.reason);
  const payload = parsed.payload;
  const event = eventTypeOf(req.headers, payload);
  const deliveryId = deliveryIdOf(scheme, req.headers, signedId);

  // GitHub's handshake when a hook is created: confirm it, nothing for the agent to do.
  if (event === 'ping' && req.headers['x-github-event'] !== undefined)
    return respond(res, 200, { status: 'pong' });
  if (route.config.events !== undefined && (event === undefined || !route.config.events.includes(event))) {
    log.debug('webhook event ignored by the route filter', { event });
    return respond(res, 200, { status: 'ignored', event: event ?? null });
  }
  const dedupeKeys = replayKeys({ scheme, headers: req.headers, body: body.body, signedId }).map(
    (key) => `${route.name}\u0000${key}`,
  );
  if (dedupeKeys.some((key) => deps.seen.has(key))) {
    log.info('webhook redelivery ignored', { deliveryId });
    return respond(res, 200, { status: 'duplicate', delivery_id: deliveryId });
  }

  let prompt: string;
  try {
    prompt = renderPrompt(route.config.prompt ?? defaultPromptTemplate(route.name, event), payload, config);
  } catch {
    // Payload depth is bounded, so this is not expected; a 500 would only make the sender retry.
    return refuse(400, "the payload could not be rendered into the route's prompt");
  }
  const messageId = deliveryId ?? randomUUID();
  const message = buildWebhookMessage({
    route: route.name,
    event,
    deliveryId,
    messageId,
    prompt,
    deliver: route.deliver,
    ...(route.config.toolsets === undefined ? {} : { toolsets: route.config.toolsets }),
    ...(route.config.skills === undefined ? {} : { skills: route.config.skills }),
    raw: {
      deliver: route.deliver,
      scheme,
      payload,
      ...(route.config.deliverExtra === undefined ? {} : { deliverExtra: route.config.deliverExtra }),
      ...(route.config.skills === undefined ? {} : { skills: route.config.skills }),
      ...(route.config.toolsets === undefined ? {} : { toolsets: route.config.toolsets }),
    },
  });
  try {
    deps.dispatch(message);
  } catch (error) {
    // Not marked as seen: the sender's retry of this delivery gets another chance.
    log.error('host did not accept the webhook event', { error });
    return respond(res, 500, { error: 'the gateway could not accept the event; retry later' });
  }
  for (const key of dedupeKeys) deps.seen.mark(key);
  log.info('webhook accepted', { event, deliveryId: messageId });
  return respond(res, 202, { status: 'accepted', route: route.name, delivery_id: messageId });
}
