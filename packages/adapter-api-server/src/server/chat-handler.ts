import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InboundMessage, Logger } from '@hermes/adapter-core';
import { discardRest, readBody } from '@hermes/adapter-core';
import type { ApiServerConfig } from '../config.js';
import { parseChatRequest } from './chat-request.js';
import type { CompletionIdentity } from './completion-format.js';
import { buildInboundMessage } from './inbound-message.js';
import { type ApiErrorSpec, sendApiError } from './openai-error.js';
import { createJsonReply } from './reply-writer.js';
import type { RunRegistry } from './run-registry.js';
import { resolveSession } from './session.js';
import { createSseReply } from './sse-reply.js';

export interface ChatHandlerDeps {
  config: ApiServerConfig;
  registry: RunRegistry;
  logger: Logger;
  dispatch(message: InboundMessage): void;
}

/** `POST /v1/chat/completions`: validates, reserves a run slot, hands the turn to the host and waits. */
export async function handleChatCompletion(req: IncomingMessage, res: ServerResponse, deps: ChatHandlerDeps) {
  const { config, registry } = deps;
  // Refusals are logged (without the body): a client sending garbage should be visible to the operator.
  const refuse = (spec: ApiErrorSpec) => {
    deps.logger.warn('api_server refused a request', {
      status: spec.status,
      code: spec.code,
      reason: spec.message,
    });
    sendApiError(res, spec);
  };
  const resolved = resolveSession(req.headers);
  if (!resolved.ok) {
    const message = `${resolved.header} ${resolved.message}`;
    discardRest(req);
    return refuse({ status: 400, type: 'invalid_request_error', code: 'invalid_session', message });
  }
  const { session } = resolved;
  const sessionHeader = { 'x-hermes-session-id': session.sessionId };
  const reserved = registry.reserve(session.sessionId);
  if (!reserved.ok) {
    discardRest(req);
    if (reserved.reason === 'busy') {
      return refuse({
        status: 409,
        type: 'invalid_request_error',
        code: 'session_busy',
        message:
          'A request for this session is still running; wait for it or use another X-Hermes-Session-Id.',
        headers: sessionHeader,
      });
    }
    return refuse({
      status: 429,
      type: 'rate_limit_error',
      code: 'too_many_concurrent_runs',
      message: `Too many requests in flight (max_concurrent_runs is ${config.maxConcurrentRuns}); retry shortly.`,
      headers: { 'retry-after': '1' },
    });
  }
  const { reservation } = reserved;

  const body = await readBody(req, config.maxBodyBytes, config.bodyTimeoutMs);
  if (body.kind !== 'ok') {
    reservation.release();
    if (body.kind === 'aborted') return;
    if (body.kind === 'timeout') {
      res.setHeader('connection', 'close');
      return refuse({
        status: 408,
        type: 'invalid_request_error',
        code: 'request_timeout',
        message: 'request body not received in time',
      });
    }
    // The rest of the upload is read and thrown away so the client gets to see the 413.
    discardRest(req);
    return refuse({
      status: 413,
      type: 'invalid_request_error',
      code: 'request_too_large',
      message: `Request body is larger than ${body.limit} bytes (max_body_bytes).`,
    });
  }

  let json: unknown;
  try {
    json = JSON.parse(body.body.toString('utf8'));
  } catch (error) {
    reservation.release();
    const detail = error instanceof Error ? error.message : String(error);
    return refuse({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_json',
      message: `Request body is not valid JSON: ${detail}`,
    });
  }
  const parsed = parseChatRequest(json);
  if (!parsed.ok) {
    reservation.release();
    return refuse({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_request',
      message: parsed.message,
      ...(parsed.param === undefined ? {} : { param: parsed.param }),
    });
  }
  const request = parsed.request;

  const identity: CompletionIdentity = {
    id: `chatcmpl-${randomUUID().replaceAll('-', '')}`,
    created: Math.floor(Date.now() / 1000),
    model: config.modelName,
  };
  const writer = request.stream
    ? createSseReply(res, identity, sessionHeader, {
        includeUsage: request.includeUsage,
        keepAliveIntervalMs: config.keepAliveIntervalMs,
      })
    : createJsonReply(res, identity, sessionHeader);
  const controller = new AbortController();
  const run = reservation.start({ id: identity.id, stream: request.stream, controller, writer });
  res.on('close', () => registry.end(run, 'client_disconnected'));

  const message = buildInboundMessage(request, session, identity.id, controller.signal);
  deps.logger.debug('api_server request', {
    runId: run.id,
    sessionId: session.sessionId,
    stream: request.stream,
    historyLength: request.history.length,
  });
  try {
    deps.dispatch(message);
  } catch (error) {
    deps.logger.error('host rejected the message', { runId: run.id, error });
    registry.end(run, 'host_error', {
      status: 500,
      type: 'server_error',
      code: 'host_error',
      message: 'The gateway could not accept the request.',
    });
  }
}
