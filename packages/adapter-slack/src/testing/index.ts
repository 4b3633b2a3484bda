export {
  type SlackFakeMessageInput,
  SlackFakeServer,
  type SlackFakeServerOptions,
  startSlackFakeServer,
} from './fake-slack.js';
export type { FakeIdentity as SlackFakeIdentity } from './fake-web-api.js';
export { type SlackFakeFault, SlackFakeFaults, type SlackFakeStorm } from './faults.js';
export type {
  SlackFakeDelete,
  SlackFakeHostedFile,
  SlackFakePost,
  SlackFakeReaction,
  SlackFakeRequest,
  SlackFakeStream,
  SlackFakeUpdate,
  SlackFakeUpload,
} from './records.js';
export type { SlackFakeDelivery, SlackFakeEnvelope, SlackFakeEnvelopeType } from './socket-mode-hub.js';
