export {
  type DeliverSmsOptions,
  type FakeSmsSentMessage,
  type FakeTwilio,
  type FakeTwilioOptions,
  pickFreePort,
  startFakeTwilio,
} from './fake-twilio.js';
export {
  type PostWebhookOptions,
  postTwilioWebhook,
  signedWebhook,
  twilioSignature,
  type WebhookParams,
  type WebhookPostResult,
} from './sign.js';
