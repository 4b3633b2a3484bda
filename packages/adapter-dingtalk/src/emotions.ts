import { type Logger, RecentMap, toAdapterError } from '@hermes/adapter-core';
import { DINGTALK_EMOTION_DONE, DINGTALK_EMOTION_THINKING } from './constants.js';
import type { DingtalkRobotApi } from './robot-api.js';

/** DingTalk's built-in text-emotion id and background for robot reactions. */
const TEXT_EMOTION_ID = '2659900';
const TEXT_EMOTION_BACKGROUND = 'im_bg_1';

/** A message the bot reacted to: the ids the emotion API wants. */
export interface DingtalkReactionTarget {
  msgId: string;
  conversationId: string;
}

export interface DingtalkEmotionsOptions {
  api: DingtalkRobotApi;
  robotCode(): string;
  logger: Logger;
}

function emotionBody(
  robotCode: string,
  target: DingtalkReactionTarget,
  name: string,
): Record<string, unknown> {
  return {
    robotCode,
    openMsgId: target.msgId,
    openConversationId: target.conversationId,
    emotionType: 2,
    emotionName: name,
    textEmotion: {
      emotionId: TEXT_EMOTION_ID,
      emotionName: name,
      text: name,
      backgroundId: TEXT_EMOTION_BACKGROUND,
    },
  };
}

/**
 * Text-emotion reactions on user messages (`robot/emotion/reply` and `/recall`): 🤔Thinking when a message
 * is handed to the host, swapped for 🥳Done once a reply to that chat went out, as the Python gateway shows
 * progress. A robot without the permission gets one warning, then no more attempts.
 */
export class DingtalkEmotions {
  readonly #o: DingtalkEmotionsOptions;
  /** Messages still showing Thinking, per chat. */
  readonly #thinking = new RecentMap<DingtalkReactionTarget[]>(1_000);
  #disabled = false;

  constructor(options: DingtalkEmotionsOptions) {
    this.#o = options;
  }

  /** Adds a text emotion to a message; throws what DingTalk answered. */
  async react(target: DingtalkReactionTarget, name: string): Promise<void> {
    await this.#o.api.call(
      'emotion reply',
      'POST',
      '/v1.0/robot/emotion/reply',
      emotionBody(this.#o.robotCode(), target, name),
    );
  }

  /** Fire and forget: the user's message shows that the bot is working on it. */
  thinking(chatId: string, target: DingtalkReactionTarget): void {
    if (this.#disabled) return;
    const list = this.#thinking.get(chatId) ?? [];
    list.push(target);
    this.#thinking.set(chatId, list);
    void this.react(target, DINGTALK_EMOTION_THINKING).catch((error: unknown) => this.#failed(error));
  }

  /** A reply reached the chat: every message still Thinking there becomes Done. */
  replied(chatId: string): void {
    const list = this.#thinking.take(chatId);
    if (!list || this.#disabled) return;
    for (const target of list) {
      void this.#o.api
        .call(
          'emotion recall',
          'POST',
          '/v1.0/robot/emotion/recall',
          emotionBody(this.#o.robotCode(), target, DINGTALK_EMOTION_THINKING),
        )
        .then(() => this.react(target, DINGTALK_EMOTION_DONE))
        .catch((error: unknown) => this.#failed(error));
    }
  }

  #failed(error: unknown): void {
    const e = toAdapterError(error);
    if (e.code === 'forbidden' || e.code === 'auth_failed' || e.code === 'not_found') {
      if (!this.#disabled)
        this.#o.logger.warn('DingTalk emotion reactions turned off: the robot may not use the emotion API', {
          code: e.code,
        });
      this.#disabled = true;
      return;
    }
    this.#o.logger.debug('DingTalk emotion reaction failed', { code: e.code });
  }
}
