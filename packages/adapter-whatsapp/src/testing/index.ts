export {
  type FakeStoredMedia,
  type FakeUser,
  type FakeWhatsappOptions,
  type FakeWhatsappSentMessage,
  type FakeWhatsappServer,
  fromUser,
  startFakeWhatsappServer,
} from './fake-server.js';
export {
  graphErrorBody,
  interactiveReply,
  locationMessage,
  type MessageBase,
  newWamid,
  reactionMessage,
  statusUpdate,
  textMessage,
  userMessage,
  type WebhookBusiness,
  type WebhookContact,
  webhookTimestamp,
  whatsappWebhookBody,
} from './payloads.js';
export {
  type DeliveryFault,
  deliverWithMetaRetries,
  type MetaRetryOptions,
  type SendWebhookOptions,
  sendWhatsappWebhook,
  type WebhookAttempt,
} from './webhook-sender.js';
