export { startWebhookReceiver, type WebhookReceiver } from './receiver.js';
export { genericV2Headers, githubSignatureHeaders, standardWebhookHeaders } from './sign.js';
