export {
  createWecomAccessPolicy,
  type WecomAccessConfig,
  type WecomAccessDecision,
  type WecomAccessPolicy,
  type WecomAccessSubject,
  type WecomPolicy,
} from './access.js';
export { createWecomAdapter, WecomAdapter, type WecomAdapterStats, wecomCapabilities } from './adapter.js';
export {
  createWecomDecryptStream,
  decodeWecomAesKey,
  decryptWecomMedia,
  encryptWecomMedia,
  WECOM_PKCS7_BLOCK,
} from './aes.js';
export {
  parseWecomConfig,
  type WecomConfig,
  type WecomConfigInput,
  wecomConfigFromEnv,
  wecomConfigSchema,
} from './config.js';
export {
  type WecomCallbackFrame,
  WecomConnection,
  type WecomConnectionOptions,
  type WecomEventFrame,
  type WecomRequestOptions,
  type WecomResponseFrame,
} from './connection.js';
export * from './constants.js';
export { wecomDescriptor } from './descriptor.js';
export { isWecomErrcode, WecomError, wecomErrorFromErrcode } from './errors.js';
export {
  encodeWecomFrame,
  parseWecomFrame,
  type WecomAppMsg,
  type WecomCallbackBody,
  type WecomFrameParse,
  type WecomInboundFrame,
  type WecomMediaRef,
  type WecomMessageContent,
  type WecomMixedItem,
  type WecomOutboundFrame,
  type WecomQuote,
  type WecomTextContent,
  wecomReqId,
} from './frames.js';
export {
  buildWecomInbound,
  extractWecomContent,
  stripWecomMention,
  type WecomContent,
  type WecomMediaItem,
  wecomChatOf,
} from './inbound.js';
export { fetchWecomMedia, type WecomFetchedMedia, type WecomMediaFetchOptions } from './media-in.js';
export {
  describeOutboundMedia,
  planWecomUpload,
  uploadWecomMedia,
  type WecomLocalMedia,
  type WecomMediaType,
  type WecomUploadPlan,
  wecomMediaTypeForMime,
} from './media-out.js';
export type { WecomSendStats } from './outbound.js';
export {
  startWecomQrSetup,
  WECOM_QR_BASE_URL,
  type WecomQrSession,
  type WecomQrSetupOptions,
} from './qr-setup.js';
export {
  type WecomReplyToken,
  WecomReplyTokenCache,
  type WecomReplyTokenCacheOptions,
  type WecomReplyTokenStats,
} from './reply-tokens.js';
export { createWecomContext, type WecomContextOptions } from './standalone.js';
export {
  probeWecom,
  WecomTransport,
  type WecomTransportOptions,
  type WecomTransportRequestOptions,
} from './transport.js';
export { normalizeWecomUserId } from './user-id.js';
