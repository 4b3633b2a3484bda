import { type DedupeCache, type InboundMessage, type Logger, toAdapterError } from '@hermes/adapter-core';
import type { DWClientDownStream } from 'dingtalk-stream';
import type { DingtalkGate } from './access.js';
import type { DingtalkChatMemory } from './chat-memory.js';
import type { DingtalkReactionTarget } from './emotions.js';
import { type DingtalkInboundContext, mapDingtalkInbound } from './inbound.js';

export interface DingtalkDropStats {
  duplicate: number;
  gated: number;
  malformed: number;
  ignored: number;
}

export interface DingtalkIntakeDeps {
  logger: Logger;
  dedupe: DedupeCache;
  gate: DingtalkGate;
  memory: DingtalkChatMemory;
  dropped: DingtalkDropStats;
  mapping: DingtalkInboundContext;
  /** The message passed every check: hand it to the host. */
  accept(message: InboundMessage, target: DingtalkReactionTarget): void;
}

/**
 * One robot callback: parse → dedupe by msgId → group rules → remember the reply route → host, then the
 * ack. Acked whatever became of it: DingTalk would otherwise push it again for a minute.
 */
export function handleDingtalkRobotFrame(
  deps: DingtalkIntakeDeps,
  frame: DWClientDownStream,
  ack: () => void,
): void {
  const { logger, dropped } = deps;
  const result = mapDingtalkInbound(frame.data, deps.mapping);
  if (result.kind === 'malformed') {
    dropped.malformed++;
    logger.warn('dropped a malformed DingTalk robot message', { problem: result.problem });
  } else if (result.kind === 'ignored') {
    dropped.ignored++;
    logger.debug('ignored a DingTalk robot message', { reason: result.reason });
  } else if (deps.dedupe.seen(result.meta.msgId)) {
    dropped.duplicate++;
    logger.debug('dropped a redelivered DingTalk message', { msgId: result.meta.msgId });
  } else {
    const { message, meta } = result;
    const chatId = message.chat.chatId;
    const decision = deps.gate.check({ chatId, isGroup: meta.isGroup }, message.text, meta.isInAtList);
    if (decision.deliver) {
      message.mentionsBot = decision.mentionsBot;
      const verdict = deps.memory.learn(chatId, meta);
      if (!verdict.ok && meta.webhook) {
        logger.warn('DingTalk session webhook not used; replies to this chat go through the robot API', {
          chatId,
          reason: verdict.reason,
        });
      }
      deps.accept(message, { msgId: meta.msgId, conversationId: meta.conversationId });
    } else {
      dropped.gated++;
      logger.info('DingTalk message not handled', { reason: decision.reason, chatId });
    }
  }
  try {
    ack();
  } catch (error) {
    logger.warn('could not acknowledge a DingTalk frame', { error: toAdapterError(error).message });
  }
}
