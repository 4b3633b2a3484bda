import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardRest, requestPath } from '@hermes/adapter-core';
import { handleWebhook, type WebhookHandlerDeps } from './handle-webhook.js';
import { respond } from './respond.js';
import type { ResolvedRoute } from './routes.js';

export interface WebhookRouterDeps extends WebhookHandlerDeps {
  routes: Map<string, ResolvedRoute>;
}

const ROUTE_PATH = /^\/webhooks\/([^/]+)\/?$/;

export async function routeWebhookRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: WebhookRouterDeps,
) {
  const method = req.method ?? 'GET';
  const path = requestPath(req);
  if (path === undefined) {
    discardRest(req);
    return respond(res, 400, { error: 'the request target is not a path; POST to /webhooks/<route>' });
  }
  if (path === '/health') {
    discardRest(req);
    return respond(res, 200, { status: 'ok', platform: 'webhook' });
  }
  const match = ROUTE_PATH.exec(path);
  const route = match ? deps.routes.get(decodeSafely(match[1]!)) : undefined;
  if (!route) {
    // Route names are not secret, but an unknown one is worth a line: usually a misconfigured sender.
    deps.logger.warn('webhook for an unknown route', { method, path: path.slice(0, 200) });
    discardRest(req);
    return respond(res, 404, { error: 'unknown webhook route' });
  }
  if (method !== 'POST') {
    discardRest(req);
    return respond(res, 405, { error: 'use POST' }, { allow: 'POST' });
  }
  return handleWebhook(req, res, route, deps);
}

function decodeSafely(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
