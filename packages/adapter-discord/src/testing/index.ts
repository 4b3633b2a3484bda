export { componentProblem } from './fake-components.js';
export {
  type FakeBotMessage,
  type FakeDiscord,
  type FakeDiscordOptions,
  type FakeUserMessageInput,
  startFakeDiscord,
} from './fake-discord.js';
export {
  type AppliedFakeFault,
  type FakeDiscordFault,
  type FakeFaultMatch,
  MESSAGE_CREATE_ROUTE,
} from './fake-faults.js';
export {
  type FakeConnectionRefusal,
  type FakeGatewayConnection,
  type FakeGatewayFrame,
  FakeIntent,
  GatewayOp,
} from './fake-gateway.js';
export {
  FAKE_INTERACTION_ACK_MS,
  type FakeInteraction,
  type FakeInteractionState,
  type FakePressInput,
} from './fake-interactions.js';
export type { FakeAttachment, FakeMessage } from './fake-messages.js';
export type { FakeRateLimitOptions } from './fake-rate-limit.js';
export type {
  FakeDelete,
  FakeEdit,
  FakeReaction,
  FakeRequest,
  FakeThreadOpened,
  FakeTyping,
} from './fake-records.js';
export {
  FAKE_DISCORD_IDS,
  type FakeChannel,
  FakeChannelType,
  type FakeDiscordIds,
  type FakeRole,
  type FakeUser,
  FakeWorld,
} from './fake-world.js';
export { type MultipartPart, multipartBoundary, parseMultipart } from './multipart.js';
export { createSnowflakes } from './snowflake.js';
