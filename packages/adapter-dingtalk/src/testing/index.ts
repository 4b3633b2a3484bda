export type { FakeDingtalkUser, FakeRobotContent } from './fake-robot-message.js';
export {
  type FakeDeliverOptions,
  type FakeDingtalkCard,
  type FakeDingtalkOptions,
  type FakeDingtalkReaction,
  type FakeDingtalkSend,
  type FakeDingtalkSentMessage,
  type FakeDingtalkServer,
  type FakeGroupDeliverOptions,
  startFakeDingtalkServer,
} from './fake-server.js';
export type { FakeDingtalkStreamStats } from './fake-stream.js';
