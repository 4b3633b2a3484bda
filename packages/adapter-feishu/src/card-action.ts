import type { InboundAction } from '@hermes/adapter-core';
import { FEISHU_PLATFORM } from './constants.js';
import { FEISHU_ACTION_KEY } from './format.js';

export type FeishuCardPress = { kind: 'press'; action: InboundAction } | { kind: 'ignored'; reason: string };

interface FlatCardAction {
  app_id?: unknown;
  event_id?: unknown;
  operator?: { open_id?: unknown; union_id?: unknown };
  action?: { value?: unknown };
  context?: { open_message_id?: unknown; open_chat_id?: unknown };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * `card.action.trigger` (schema 2.0, as the SDK's dispatcher flattens it) → the contract's InboundAction.
 * The event id is the press id the host dedupes on; presses of buttons this adapter did not draw (no
 * `hermes_action` in the value) and presses for another app are ignored.
 */
export function parseFeishuCardAction(data: unknown, appId: string): FeishuCardPress {
  if (typeof data !== 'object' || data === null)
    return { kind: 'ignored', reason: 'card action is not an object' };
  const d = data as FlatCardAction;
  const app = str(d.app_id);
  if (app !== undefined && app !== appId)
    return { kind: 'ignored', reason: `card action for another app (${app})` };
  const value = d.action?.value;
  const actionId =
    typeof value === 'object' && value !== null
      ? str((value as Record<string, unknown>)[FEISHU_ACTION_KEY])
      : undefined;
  const id = str(d.event_id);
  const sender = str(d.operator?.open_id);
  const messageId = str(d.context?.open_message_id);
  const chatId = str(d.context?.open_chat_id);
  if (!actionId) return { kind: 'ignored', reason: 'card action without a hermes_action value' };
  if (!id || !sender || !messageId || !chatId)
    return { kind: 'ignored', reason: 'card action without event_id, operator, message or chat' };
  const altId = str(d.operator?.union_id);
  return {
    kind: 'press',
    action: {
      id,
      chat: { platform: FEISHU_PLATFORM, chatId, chatType: 'group' },
      sender: { id: sender, ...(altId ? { altId } : {}) },
      messageId,
      actionId,
      receivedAt: new Date(),
      raw: data,
    },
  };
}
