export { cardActionEvent, type FakeMention, messageReceiveEvent } from './fake-events.js';
export {
  FAKE_FEISHU_SEND_MATCH,
  type FakeDeliverOptions,
  type FakeEdit,
  type FakeFeishuSentMessage,
  type FakeFeishuServer,
  type FakeFeishuServerOptions,
  type FakeReaction,
  type FakeUpload,
  startFakeFeishuServer,
} from './fake-server.js';
export {
  decodePbbp2Frame,
  encodePbbp2Frame,
  PBBP2_METHOD,
  type Pbbp2Frame,
  type Pbbp2Header,
} from './pbbp2.js';
