import { DINGTALK_CONVERSATION_PREFIX } from './constants.js';

/**
 * Whether a chat id names a group (open conversation id) or a user (staff id). Hosts resolve cron targets
 * and home channels without knowing the chat type, so the id decides when inbound traffic did not.
 */
export function isDingtalkGroupChat(known: boolean | undefined, chatId: string): boolean {
  return known ?? chatId.startsWith(DINGTALK_CONVERSATION_PREFIX);
}
