export { createWebhookAdapter, WebhookAdapter, type WebhookAdapterOptions } from './adapter.js';
export {
  INSECURE_NO_AUTH,
  parseWebhookConfig,
  WEBHOOK_PLATFORM,
  type WebhookConfig,
  type WebhookConfigInput,
  type WebhookRouteConfig,
  type WebhookRouteConfigInput,
  type WebhookScheme,
  webhookConfigFromEnv,
  webhookConfigSchema,
  webhookRouteSchema,
  webhookSchemes,
} from './config.js';
export { type ParsedDeliverTarget, parseDeliverTarget, type WebhookDeliverTarget } from './deliver-target.js';
export { isWebhookEnabled, webhookDescriptor } from './descriptor.js';
export type { WebhookEventRaw } from './inbound-message.js';
export { renderPrompt } from './template.js';
