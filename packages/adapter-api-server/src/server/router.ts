import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardRest, secretsEqual, sendJson } from '@hermes/adapter-core';
import type { ApiServerConfig } from '../config.js';
import { type ChatHandlerDeps, handleChatCompletion } from './chat-handler.js';
import { answerPreflight, applyCors } from './cors.js';
import { type ApiErrorSpec, sendApiError } from './openai-error.js';

export interface RouterDeps extends ChatHandlerDeps {
  config: ApiServerConfig;
  /** Seconds since the epoch; the `created` of the listed model. */
  startedAt: number;
}

const HEALTH_PATHS = new Set(['/health', '/v1/health']);

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim();
}

function authorized(req: IncomingMessage, key: string | undefined): boolean {
  if (key === undefined) return true;
  const token = bearerToken(req.headers.authorization);
  // Compared even when absent, so a missing header costs the same as a wrong one.
  const equal = secretsEqual(token ?? '', key);
  return equal && token !== undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function modelObject(deps: RouterDeps) {
  return { id: deps.config.modelName, object: 'model', created: deps.startedAt, owned_by: 'hermes' };
}

const methodNotAllowed = (allow: string): ApiErrorSpec => ({
  status: 405,
  type: 'invalid_request_error',
  code: 'method_not_allowed',
  message: `Use ${allow} on this route.`,
  headers: { allow },
});

/** Dispatches one HTTP request. Every path ends in an answer; every error has the OpenAI shape. */
export async function routeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RouterDeps,
): Promise<void> {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
  const refuse = (spec: ApiErrorSpec) => {
    deps.logger.warn('api_server refused a request', { method, path, status: spec.status, code: spec.code });
    discardRest(req);
    sendApiError(res, spec);
  };
  const cors = applyCors(req, res, deps.config.corsOrigins);
  if (method === 'OPTIONS') {
    if (cors === 'allowed') return answerPreflight(req, res);
    if (cors === 'no_origin') {
      res.writeHead(204, { allow: 'GET, POST, OPTIONS', 'content-length': '0' });
      return void res.end();
    }
    return refuse({
      status: 403,
      type: 'permission_error',
      code: 'cors_origin_denied',
      message: 'This origin is not allowed; add it to API_SERVER_CORS_ORIGINS.',
    });
  }
  if (HEALTH_PATHS.has(path)) {
    if (method !== 'GET' && method !== 'HEAD') return refuse(methodNotAllowed('GET'));
    return sendJson(res, 200, { status: 'ok', platform: 'api_server' });
  }
  if (!authorized(req, deps.config.key)) {
    return refuse({
      status: 401,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      message: 'Missing or wrong API key. Send Authorization: Bearer <API_SERVER_KEY>.',
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (path === '/v1/chat/completions') {
    if (method !== 'POST') return refuse(methodNotAllowed('POST'));
    return handleChatCompletion(req, res, deps);
  }
  if (path === '/v1/models') {
    if (method !== 'GET') return refuse(methodNotAllowed('GET'));
    return sendJson(res, 200, { object: 'list', data: [modelObject(deps)] });
  }
  if (path.startsWith('/v1/models/')) {
    if (method !== 'GET') return refuse(methodNotAllowed('GET'));
    const id = safeDecode(path.slice('/v1/models/'.length));
    if (id === deps.config.modelName) return sendJson(res, 200, modelObject(deps));
    return refuse({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      message: `The model '${id}' does not exist; this server serves '${deps.config.modelName}'.`,
      param: 'model',
    });
  }
  return refuse({
    status: 404,
    type: 'not_found_error',
    code: 'unknown_route',
    message: `No route for ${method} ${path}. This server offers POST /v1/chat/completions, GET /v1/models and GET /health.`,
  });
}
