import { type EnvLike, envFlag, type PlatformDescriptor } from '@hermes/adapter-core';
import { createWebhookAdapter } from './adapter.js';
import { WEBHOOK_PLATFORM, type WebhookConfig, webhookConfigFromEnv, webhookConfigSchema } from './config.js';

/** WEBHOOK_ENABLED=true enables it; `enabled` in config.yaml wins over the environment. */
export function isWebhookEnabled(env: EnvLike, fileConfig?: Record<string, unknown>): boolean {
  if (typeof fileConfig?.['enabled'] === 'boolean') return fileConfig['enabled'];
  return envFlag(env, 'WEBHOOK_ENABLED');
}

export const webhookDescriptor: PlatformDescriptor<WebhookConfig> = {
  platform: WEBHOOK_PLATFORM,
  label: 'Webhooks',
  // One-way events: never parsed as chat commands; the answer goes to `deliverTo` or the log.
  kind: 'events',
  // Inbound HTTP: every replica serves it behind a load balancer.
  connectionScope: 'shared',
  requiredEnv: ['WEBHOOK_ENABLED'],
  optionalEnv: ['WEBHOOK_PORT', 'WEBHOOK_SECRET', 'WEBHOOK_HOST'],
  secretEnv: ['WEBHOOK_SECRET'],
  setupHelp:
    'Set WEBHOOK_ENABLED=true and add routes under platforms.webhook.extra.routes.<name> in config.yaml ' +
    '(secret, prompt with {dot.path} placeholders, deliver: log or <platform>:<chat>). Senders POST to ' +
    'http://<host>:8644/webhooks/<name> (WEBHOOK_PORT); the server binds 127.0.0.1 unless WEBHOOK_HOST says ' +
    'otherwise (0.0.0.0 accepts senders from the network). Every route needs a secret (its own or WEBHOOK_SECRET); ' +
    'use the same secret in the sender (GitHub/GitLab webhook settings, Standard Webhooks whsec_ key).',
  configSchema: webhookConfigSchema,
  configFromEnv: webhookConfigFromEnv,
  createAdapter: (config) => createWebhookAdapter(config),
};
