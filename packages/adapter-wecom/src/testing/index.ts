export { encryptWecomMedia } from '../aes.js';
export {
  generateWecomAesKey,
  startWecomFakeServer,
  type WecomFakeFrame,
  type WecomFakeMessage,
  type WecomFakeReply,
  WecomFakeServer,
  type WecomFakeServerOptions,
  type WecomFakeSubscription,
} from './fake-server.js';
export { type WecomFakeUpload, wecomFakeUploadLimits } from './fake-uploads.js';
