export type { FakeActionPress } from './fake-actions.js';
export { respondAppError, respondMattermost } from './fake-rest.js';
export {
  type FakeMattermostDeliverOptions,
  type FakeMattermostSentMessage,
  type FakeMattermostServer,
  type FakeMattermostServerOptions,
  startFakeMattermostServer,
} from './fake-server.js';
export {
  type FakeChannel,
  type FakeChannelType,
  type FakeFileInfo,
  FakeMattermostStore,
  type FakePost,
  type FakeUser,
  newMattermostId,
} from './fake-store.js';
