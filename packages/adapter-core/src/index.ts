export * from './connection/index.js';
export type {
  AdapterContext,
  AdapterLiveness,
  AdapterServices,
  AdapterStatus,
  Attachment,
  Capabilities,
  ChatRef,
  ChatType,
  CommandMenuEntry,
  EnvLike,
  InboundAction,
  InboundMessage,
  LengthUnit,
  MarkdownDialect,
  MediaCacheLike,
  MediaKind,
  MessageAction,
  NativeReplyStream,
  OutboundMedia,
  OutboundMessage,
  PlatformAdapter,
  PlatformAgentTool,
  PlatformConnectionScope,
  PlatformDescriptor,
  PlatformKind,
  PlatformScanSession,
  PlatformScanToCreate,
  PlatformToolApproval,
  ProbeResult,
  RequestExchange,
  RequestFailure,
  RequestFailureCode,
  RequestHistoryEntry,
  ResponseRecordStore,
  ResponseRetention,
  Sender,
  SendResult,
  StartStreamResult,
  ToolProgressReport,
  TurnLimits,
  TurnUsage,
} from './contract.js';
export * from './delivery/index.js';
export { type EmojiShortNameOptions, emojiShortName } from './emoji/emoji-short-names.js';
export {
  configList,
  envFlag,
  envInt,
  envList,
  envString,
  pickConfigValue,
  platformFileConfig,
  withoutUndefined,
} from './env.js';
export {
  AdapterError,
  type AdapterErrorCode,
  type AdapterErrorOptions,
  adapterErrorFromHttpStatus,
  isAdapterError,
  toAdapterError,
} from './errors.js';
export * from './http/index.js';
export * from './intake/index.js';
export {
  alreadyStartedError,
  type NotConnectedOptions,
  notConnectedError,
  notConnectedResult,
} from './lifecycle-errors.js';
export * from './liveness/index.js';
export {
  createConsoleLogger,
  createMemoryLogger,
  type LogEntry,
  type LogFields,
  type Logger,
  type LogLevel,
  type MemoryLogger,
  silentLogger,
} from './logger.js';
export * from './markdown/index.js';
export * from './media/index.js';
export { type ParseAdapterConfigOptions, parseAdapterConfig } from './parse-adapter-config.js';
export { seededRandom } from './random.js';
export { RecentMap } from './recent-map.js';
export { createRedactingLogger, createRedactor, type Redactor } from './redact.js';
export { runStandaloneBot, type StandaloneBot, type StandaloneBotOptions } from './standalone.js';
export * from './state/index.js';
export * from './targets/index.js';
