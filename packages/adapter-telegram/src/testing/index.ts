// A loopback fake of the Telegram Bot API for offline tests of any Telegram bot (not only this adapter).
export type { FakeObservations } from './bot-methods.js';
export {
  type FakeInbound,
  FakeTelegram,
  type FakeTelegramOptions,
  startFakeTelegram,
} from './fake-telegram.js';
export type {
  AppliedFakeFault,
  FakeBotApiCall,
  FakeChat,
  FakeEntity,
  FakeFaultMatch,
  FakeMessage,
  FakeSentMessage,
  FakeTelegramFault,
  FakeUser,
} from './fake-types.js';
export type { FakeStoredFile } from './fake-world.js';
export { FakeFaultQueue } from './fault-queue.js';
export { type MultipartBody, type MultipartFile, parseMultipart } from './multipart.js';
export type { FakeMediaKind, FakeMediaOptions, FakeTextOptions } from './scripted-updates.js';
export { checkTelegramHtml, type TelegramHtmlCheck } from './telegram-html.js';
