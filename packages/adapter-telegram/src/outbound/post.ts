import { isAdapterError } from '@hermes/adapter-core';
import { sentMessageId } from '../api/results.js';
import { chatIdParam, type TelegramOutboundDeps, type TelegramTarget, threadParam } from './deps.js';

/**
 * One call that posts something, through the chat's pacer lane (429s are waited out there and retried;
 * an ambiguous failure is not). When Telegram says the forum topic is gone, the post goes to the chat
 * itself rather than being lost, and the rest of the message follows it there.
 */
export async function postToChat(
  deps: TelegramOutboundDeps,
  target: TelegramTarget,
  method: string,
  payload: Record<string, unknown>,
  timeoutMs?: number,
): Promise<string> {
  const call = () =>
    deps.pacer.run(target.chatId, () =>
      deps.api.call(
        method,
        { chat_id: chatIdParam(target.chatId), ...threadParam(target), ...payload },
        timeoutMs === undefined ? { effect: 'once' } : { effect: 'once', timeoutMs },
      ),
    );
  try {
    return sentMessageId(await call(), method, deps.logger);
  } catch (error) {
    if (!(isAdapterError(error) && error.code === 'thread_not_found' && target.threadId !== undefined))
      throw error;
    deps.logger.warn('Telegram topic not found; posting to the chat itself', {
      chatId: target.chatId,
      threadId: target.threadId,
    });
    delete target.threadId;
    return sentMessageId(await call(), method, deps.logger);
  }
}
