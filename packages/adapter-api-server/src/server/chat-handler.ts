import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InboundMessage, Logger } from '@hermes/adapter-core';
import { discardRest, parseJsonBounded, readBody } from '@hermes/adapter-core';
import type { ApiServerConfig } from '../config.js';
import { type ParsedChatRequest, parseChatRequest } from './chat-request.js';
import type { CompletionIdentity } from './completion-format.js';
import { isJsonContentType } from './content-type.js';
import { buildInboundMessage, serverTurnLimits } from './inbound-message.js';
import { type ApiErrorSpec, sendApiError } from './openai-error.js';
import { createJsonReply, type ReplyWriter } from './reply-writer.js';
import type { RunRegistry } from './run-registry.js';
import { servesModel } from './served-models.js';
import { type ApiSession, resolveSession } from './session.js';
import { createSseReply } from './sse-reply.js';

export interface ChatHandlerDeps {
  config: ApiServerConfig;
  registry: RunRegistry;
  logger: Logger;
  dispatch(message: InboundMessage): void;
}

export type Refuse = (spec: ApiErrorSpec) => void;

export const badRequest = (code: string, message: string, param?: string): ApiErrorSpec => ({
  status: 400,
  type: 'invalid_request_error',
  code,
  message,
  ...(param === undefined ? {} : { param }),
});

/** Reads a bounded JSON body; undefined once a refusal has been answered (or the client left). */
export async function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  config: ApiServerConfig,
  refuse: Refuse,
): Promise<{ value: unknown } | undefined> {
  const body = await readBody(req, config.maxBodyBytes, config.bodyTimeoutMs);
  if (body.kind === 'aborted') return undefined;
  if (body.kind === 'timeout') {
    res.setHeader('connection', 'close');
    refuse({
      status: 408,
      type: 'invalid_request_error',
      code: 'request_timeout',
      message: `Request body not received within ${Math.round(config.bodyTimeoutMs / 1000)} s.`,
    });
    return undefined;
  }
  if (body.kind === 'too_large') {
    // The rest of the upload is read and thrown away so the client gets to see the 413.
    discardRest(req);
    refuse({
      status: 413,
      type: 'invalid_request_error',
      code: 'request_too_large',
      message: `Request body is larger than ${body.limit} bytes (max_body_bytes).`,
    });
    return undefined;
  }
  const json = parseJsonBounded(body.body.toString('utf8'));
  if (!json.ok) {
    const code = json.code === 'too_deep' ? 'json_too_deep' : 'invalid_json';
    refuse(
      badRequest(
        code,
        `Request body is ${json.message}; send one JSON object with Content-Type: application/json.`,
      ),
    );
    return undefined;
  }
  return { value: json.value };
}

/**
 * Lenient where OpenAI is strict: no model means the served one. A wrong one is an error, not ignored,
 * so a client pointed at the wrong server learns it at once. False once refused.
 */
export function acceptModel(model: string | undefined, config: ApiServerConfig, refuse: Refuse): boolean {
  if (model === undefined || servesModel(config, model)) return true;
  refuse({
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: `The model '${model.slice(0, 200)}' does not exist; this server serves '${config.modelName}' (GET /v1/models lists it).`,
    param: 'model',
  });
  return false;
}

/** Reads and validates the body; undefined once a refusal has been answered (or the client left). */
async function readChatRequest(
  req: IncomingMessage,
  res: ServerResponse,
  config: ApiServerConfig,
  refuse: Refuse,
): Promise<ParsedChatRequest | undefined> {
  const json = await readJsonBody(req, res, config, refuse);
  if (json === undefined) return undefined;
  const parsed = parseChatRequest(json.value);
  if (!parsed.ok) {
    refuse(badRequest('invalid_request', parsed.message, parsed.param));
    return undefined;
  }
  return acceptModel(parsed.request.model, config, refuse) ? parsed.request : undefined;
}

/**
 * `POST /v1/chat/completions`: reads and validates the body, then reserves a run slot, hands the turn to
 * the host and waits. The slot is taken only after the body is in, so slow uploads cannot starve the cap.
 */
/** Refusals are logged by code only: the message may quote the request (a model name), and bodies stay out of logs. */
export function refuserFor(res: ServerResponse, logger: Logger): Refuse {
  return (spec) => {
    logger.warn('api_server refused a request', {
      status: spec.status,
      code: spec.code,
      ...(spec.param === undefined ? {} : { param: spec.param }),
    });
    sendApiError(res, spec);
  };
}

export async function handleChatCompletion(req: IncomingMessage, res: ServerResponse, deps: ChatHandlerDeps) {
  const { config } = deps;
  const refuse = refuserFor(res, deps.logger);
  if (!isJsonContentType(req.headers['content-type'])) {
    discardRest(req);
    return refuse({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_media_type',
      message: 'The request body must be JSON: send it with Content-Type: application/json.',
    });
  }
  const resolved = resolveSession(req.headers);
  if (!resolved.ok) {
    discardRest(req);
    return refuse(badRequest('invalid_session', `${resolved.header} ${resolved.message}`));
  }
  const request = await readChatRequest(req, res, config, refuse);
  if (request === undefined) return;
  // The client may have given up while the body was checked; a run for it would have no one to answer.
  if (req.socket.destroyed || res.destroyed) return;
  startRun(req, res, deps, resolved.session, request, refuse, {
    idPrefix: 'chatcmpl-',
    writerFor: (identity, headers) =>
      request.stream
        ? createSseReply(res, identity, headers, {
            includeUsage: request.includeUsage,
            keepAliveIntervalMs: config.keepAliveIntervalMs,
          })
        : createJsonReply(res, identity, headers),
  });
}

/** How a protocol answers: the id prefix of its objects and the writer that formats its reply. */
export interface RunProtocol {
  idPrefix: string;
  writerFor(identity: CompletionIdentity, headers: Record<string, string>): ReplyWriter;
}

/** Reserves a run slot, hands the turn to the host and lets the protocol's writer answer. */
export function startRun(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ChatHandlerDeps,
  session: ApiSession,
  request: ParsedChatRequest,
  refuse: Refuse,
  protocol: RunProtocol,
): void {
  const { config, registry } = deps;
  const sessionHeader = { 'x-hermes-session-id': session.sessionId };
  const reserved = registry.reserve(session.sessionId);
  if (!reserved.ok) {
    if (reserved.reason === 'busy') {
      refuse({
        status: 409,
        type: 'invalid_request_error',
        code: 'session_busy',
        message:
          'A request for this session is still running; wait for it or use another X-Hermes-Session-Id.',
        headers: sessionHeader,
      });
      return;
    }
    refuse({
      status: 429,
      type: 'rate_limit_error',
      code: 'too_many_concurrent_runs',
      message: `Too many requests in flight (max_concurrent_runs is ${config.maxConcurrentRuns}); retry shortly.`,
      headers: { 'retry-after': '1' },
    });
    return;
  }

  const identity: CompletionIdentity = {
    id: `${protocol.idPrefix}${randomUUID().replaceAll('-', '')}`,
    created: Math.floor(Date.now() / 1000),
    model: config.modelName,
  };
  const writer = protocol.writerFor(identity, sessionHeader);
  const controller = new AbortController();
  const run = reserved.reservation.start({ id: identity.id, stream: request.stream, controller, writer });
  // Frees the slot and aborts the run the moment the client goes; a no-op once the run has ended.
  res.on('close', () => registry.end(run, 'client_disconnected'));
  req.on('error', () => registry.end(run, 'client_disconnected'));

  const message = buildInboundMessage(request, session, {
    replyMessageId: identity.id,
    signal: controller.signal,
    turnLimits: serverTurnLimits(config),
  });
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
