export { dataEnvelope, type FakeDataMessageParts, type FakeSignalContact } from './fake-envelopes.js';
export {
  type FakeDeliverOptions,
  type FakeSignalReaction,
  type FakeSignalSentMessage,
  type FakeSignalServer,
  type FakeSignalServerOptions,
  type FakeSignalTyping,
  startFakeSignalServer,
} from './fake-server.js';
