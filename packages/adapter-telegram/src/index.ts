export { createTelegramAdapter, TelegramAdapter } from './adapter.js';
export { TelegramBotApi, type TelegramBotApiOptions, type TelegramCallOptions } from './api/bot-api.js';
export { type TelegramCallEffect, telegramErrorFrom } from './api/errors.js';
export type { TelegramBotIdentity } from './api/results.js';
export { telegramCapabilities } from './capabilities.js';
export {
  parseTelegramConfig,
  type TelegramCommand,
  type TelegramConfig,
  type TelegramConfigInput,
  telegramCommandSchema,
  telegramConfigSchema,
} from './config.js';
export { telegramConfigFromEnv } from './config-from-env.js';
export * from './constants.js';
export { telegramDescriptor } from './descriptor.js';
export { addressingOf, type TelegramAddressing } from './intake/addressing.js';
export { fileRefsOf, type TelegramFileRef } from './intake/attachments.js';
export { buildTelegramAction, type TelegramPressBuild } from './intake/button-press.js';
export { gateGroupMessage, type TelegramGateDecision, type TelegramGroupRules } from './intake/gate.js';
export { telegramChatOf, telegramSenderOf, telegramUserSender } from './intake/inbound-message.js';
export {
  type ParsedUpdate,
  parseTelegramUpdate,
  type TelegramCallbackQuery,
  type TelegramMessage,
} from './intake/parse-update.js';
export { draftsAllowedIn, TelegramDraftStream } from './outbound/draft-stream.js';
export { inlineKeyboardOf, type TelegramInlineKeyboard } from './outbound/inline-keyboard.js';
export { telegramReactionEmoji } from './outbound/reactions.js';
export { isOpusVoice, planTelegramUpload, type TelegramUploadPlan } from './outbound/send-media.js';
export { startTelegramBot, type TelegramBot, type TelegramBotOptions } from './standalone.js';
export { type TelegramUpdateState, UpdateStateFile } from './state/update-state.js';
export { normalizeTelegramUserId } from './user-id.js';
