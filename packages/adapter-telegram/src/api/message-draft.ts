import type { TelegramBotApi, TelegramCallOptions } from './bot-api.js';

export interface TelegramDraftParams {
  chat_id: number | string;
  /** Non-zero; the same id for every update of one streamed reply. */
  draft_id: number;
  text: string;
  parse_mode?: 'HTML';
  message_thread_id?: number;
}

/**
 * Bot API 9.x `sendMessageDraft`: shows a growing draft of a reply in a private chat. telegraf 4.16.3
 * predates the method and has no typed wrapper, so it goes through the client's raw callApi, the one
 * untyped call site in `TelegramBotApi.call`; this function is the only place that names the method and
 * pins its parameters.
 */
export async function sendMessageDraft(
  api: TelegramBotApi,
  params: TelegramDraftParams,
  options: TelegramCallOptions = {},
): Promise<void> {
  await api.call('sendMessageDraft', { ...params }, options);
}
