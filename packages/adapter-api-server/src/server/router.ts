import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardRest, requestPath, secretsEqual, sendJson } from '@hermes/adapter-core';
import type { ApiServerConfig } from '../config.js';
import {
  handleCreateResponse,
  handleGetResponse,
  type ResponsesDeps,
} from '../responses/responses-handler.js';
import { CHAT_PAGE_PATHS, serveChatPage } from '../web/chat-page.js';
import { handleChatCompletion } from './chat-handler.js';
import { answerPreflight, applyCors } from './cors.js';
import { checkHost, type HostPolicy } from './host-check.js';
import { type ApiErrorSpec, sendApiError } from './openai-error.js';
import { servesModel } from './served-models.js';

export interface RouterDeps extends ResponsesDeps {
  config: ApiServerConfig;
  hostPolicy: HostPolicy;
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

function modelObject(deps: RouterDeps, id = deps.config.modelName) {
  return { id, object: 'model', created: deps.startedAt, owned_by: 'hermes' };
}

const methodNotAllowed = (allow: string): ApiErrorSpec => ({
  status: 405,
  type: 'invalid_request_error',
  code: 'method_not_allowed',
  message: `Use ${allow} on this route.`,
  headers: { allow },
});

/**
 * Dispatches one HTTP request. Every path ends in an answer; every error has the OpenAI shape. The checks
 * that keep web pages out (Host, Origin) come before everything else, health included.
 */
export async function routeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RouterDeps,
): Promise<void> {
  const method = req.method ?? 'GET';
  // Trailing slashes are forgiven (`/v1/models/`), as most OpenAI-compatible servers do.
  const path = requestPath(req)?.replace(/(?<=.)\/+$/, '');
  const refuse = (spec: ApiErrorSpec) => {
    deps.logger.warn('api_server refused a request', {
      method,
      path: path?.slice(0, 200),
      status: spec.status,
      code: spec.code,
    });
    discardRest(req);
    sendApiError(res, spec);
  };
  const host = checkHost(req.headers.host, deps.hostPolicy);
  if (!host.ok) {
    res.setHeader('connection', 'close');
    return refuse({
      status: host.status,
      type: 'invalid_request_error',
      code: host.code,
      message: host.message,
    });
  }
  const cors = applyCors(req, res, deps.config.corsOrigins);
  if (cors === 'denied') {
    // A browser sends Origin on every cross-site request it makes for a page; only listed pages get in.
    return refuse({
      status: 403,
      type: 'permission_error',
      code: 'cors_origin_denied',
      message: 'Requests from this web origin are not allowed; add it to API_SERVER_CORS_ORIGINS.',
    });
  }
  if (path === undefined) {
    return refuse({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_request_path',
      message: 'The request target is not a valid path; use one like /v1/chat/completions.',
    });
  }
  if (method === 'OPTIONS') {
    if (cors === 'allowed') return answerPreflight(req, res);
    res.writeHead(204, { allow: 'GET, POST, OPTIONS', 'content-length': '0' });
    return void res.end();
  }
  if (CHAT_PAGE_PATHS.has(path)) {
    // The page is public (it holds no secret and asks for the key itself); its API calls need the key.
    if (method !== 'GET' && method !== 'HEAD') return refuse(methodNotAllowed('GET'));
    return serveChatPage(req, res, path);
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
  if (path === '/v1/responses') {
    if (method !== 'POST') return refuse(methodNotAllowed('POST'));
    return handleCreateResponse(req, res, deps);
  }
  if (path.startsWith('/v1/responses/')) {
    if (method !== 'GET') return refuse(methodNotAllowed('GET'));
    return handleGetResponse(res, deps, decodeURIComponent(path.slice('/v1/responses/'.length)));
  }
  if (path === '/v1/models') {
    if (method !== 'GET') return refuse(methodNotAllowed('GET'));
    return sendJson(res, 200, { object: 'list', data: [modelObject(deps)] });
  }
  if (path.startsWith('/v1/models/')) {
    if (method !== 'GET') return refuse(methodNotAllowed('GET'));
    const id = safeDecode(path.slice('/v1/models/'.length));
    if (servesModel(deps.config, id)) return sendJson(res, 200, modelObject(deps, id));
    return refuse({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      message: `The model '${id.slice(0, 200)}' does not exist; this server serves '${deps.config.modelName}'.`,
      param: 'model',
    });
  }
  return refuse({
    status: 404,
    type: 'not_found_error',
    code: 'unknown_route',
    message: `No route for ${method} ${path.slice(0, 200)}. This server offers POST /v1/chat/completions, POST /v1/responses, GET /v1/responses/{id}, GET /v1/models, GET /health and the chat page at GET /.`,
  });
}
