import { AdapterError, isLoopbackHost } from '@hermes/adapter-core';
import {
  INSECURE_NO_AUTH,
  WEBHOOK_PLATFORM,
  type WebhookConfig,
  type WebhookRouteConfig,
} from '../config.js';
import { parseDeliverTarget, type WebhookDeliverTarget } from '../deliver-target.js';

export interface ResolvedRoute {
  name: string;
  config: WebhookRouteConfig;
  /** The secret to verify with; undefined only for an INSECURE_NO_AUTH route on loopback. */
  secret: string | undefined;
  deliver: WebhookDeliverTarget;
}

function fail(message: string, fix: string): never {
  throw new AdapterError('config_invalid', message, { platform: WEBHOOK_PLATFORM, retryable: false, fix });
}

/**
 * Every route needs a secret (its own or WEBHOOK_SECRET). `INSECURE_NO_AUTH` is accepted only when the
 * server binds loopback, so an unauthenticated route is never reachable from the network.
 */
export function resolveRoutes(config: WebhookConfig): Map<string, ResolvedRoute> {
  const names = Object.keys(config.routes);
  if (names.length === 0) {
    fail(
      'no webhook routes are configured, so the server would accept nothing',
      'Add a route under platforms.webhook.extra.routes.<name> in config.yaml (with a secret, a prompt and deliver).',
    );
  }
  const routes = new Map<string, ResolvedRoute>();
  for (const name of names) {
    const route = config.routes[name]!;
    const secret = route.secret ?? config.secret;
    if (secret === undefined) {
      fail(
        `webhook route "${name}" has no secret and WEBHOOK_SECRET is not set`,
        `Set platforms.webhook.extra.routes.${name}.secret (the secret the sender signs with) or WEBHOOK_SECRET.`,
      );
    }
    if (secret === INSECURE_NO_AUTH && !isLoopbackHost(config.host)) {
      fail(
        `webhook route "${name}" uses ${INSECURE_NO_AUTH} but WEBHOOK_HOST is ${config.host}, which is not loopback`,
        `Give the route a secret, or set WEBHOOK_HOST=127.0.0.1 for local testing.`,
      );
    }
    const deliver = parseDeliverTarget(route.deliver);
    if (!deliver.ok)
      fail(
        `webhook route "${name}" has deliver "${route.deliver}": ${deliver.problem}`,
        `Set platforms.webhook.extra.routes.${name}.deliver to log, <platform> or <platform>:<chat_id>[:<thread_id>].`,
      );
    routes.set(name, {
      name,
      config: route,
      secret: secret === INSECURE_NO_AUTH ? undefined : secret,
      deliver: deliver.target,
    });
  }
  return routes;
}
