import type {
  AdapterContext,
  ChatRef,
  DedupeCache,
  InboundAction,
  InboundMessage,
  LivenessTracker,
  Logger,
  RecentMap,
} from '@hermes/adapter-core';
import type { CustomerWindows } from './customer-window.js';
import type { WhatsappGraphClient } from './graph/graph-client.js';
import { GRAPH_REENGAGEMENT } from './graph/graph-errors.js';
import type { WhatsappWebhookParse, WhatsappWebhookStatus } from './inbound.js';
import { mapWhatsappMessage, type WhatsappPress, type WhatsappReaction } from './inbound-message.js';
import { whatsappAttachment } from './media.js';

/** What Meta last said about a message the bot sent. */
export interface DeliveryStatus {
  status: string;
  /** Epoch ms of the status (Meta's timestamp). */
  at: number;
  errors: Array<{ code: number | undefined; title: string }>;
}

export interface IntakeDeps {
  ctx: AdapterContext;
  logger: Logger;
  graph: WhatsappGraphClient;
  botNumber: string | undefined;
  seen: DedupeCache;
  windows: CustomerWindows;
  statuses: RecentMap<DeliveryStatus>;
  settled: RecentMap<string>;
  lastInbound: RecentMap<string>;
  deliverReactions: boolean;
  mediaMaxBytes: number;
  allowPrivateMedia: boolean;
  liveness: LivenessTracker;
  /** A press on buttons already settled: the outcome goes to the chat again. */
  resendOutcome(chat: ChatRef, messageId: string, outcome: string): void;
  /** The windows or the dedupe memory changed: persist soon. */
  changed(): void;
}

type Batch = Extract<WhatsappWebhookParse, { ok: true }>;

/**
 * Hands a verified batch to the host, each message once. A message is marked seen only after the host
 * took it, so when the host throws, the batch is answered 500, Meta retries it, and only what was not
 * taken goes through again. Malformed and ignored items are marked seen too: a retry cannot fix them.
 */
export async function handleWhatsappBatch(batch: Batch, deps: IntakeDeps): Promise<boolean> {
  const { logger } = deps;
  for (const problem of batch.problems) logger.warn('malformed item in a WhatsApp webhook', { problem });
  if (batch.skipped > 0) {
    logger.debug('WhatsApp webhook changes for other fields or phone numbers skipped', {
      count: batch.skipped,
    });
  }
  let allAccepted = true;
  for (const item of batch.messages) {
    const mapped = mapWhatsappMessage(item, {
      botNumber: deps.botNumber,
      now: () => new Date(),
      attachment: (ref) =>
        whatsappAttachment(ref, {
          graph: deps.graph,
          cache: deps.ctx.mediaCache,
          maxBytes: deps.mediaMaxBytes,
          allowPrivate: deps.allowPrivateMedia,
        }),
    });
    const id =
      mapped.kind === 'message'
        ? mapped.message.id
        : mapped.kind === 'press'
          ? mapped.press.id
          : mapped.kind === 'reaction'
            ? mapped.reaction.id
            : mapped.id;
    const key = id === undefined ? undefined : `msg:${id}`;
    if (key !== undefined && deps.seen.has(key)) {
      logger.debug('WhatsApp redelivery ignored', { messageId: id });
      continue;
    }
    try {
      switch (mapped.kind) {
        case 'malformed':
          logger.warn('malformed WhatsApp message dropped', { problem: mapped.problem, messageId: id });
          break;
        case 'ignored':
          logger.debug('WhatsApp message ignored', { reason: mapped.reason, messageId: id });
          break;
        case 'message':
          opened(deps, mapped.message.sender.id, mapped.sentAtMs);
          deps.lastInbound.set(mapped.message.chat.chatId, mapped.message.id);
          deps.ctx.receive(mapped.message);
          deps.liveness.inbound();
          break;
        case 'press':
          opened(deps, mapped.press.sender.id, mapped.sentAtMs);
          deps.lastInbound.set(mapped.press.chat.chatId, mapped.press.id);
          handlePress(mapped.press, deps);
          deps.liveness.inbound();
          break;
        case 'reaction':
          opened(deps, mapped.reaction.sender.id, mapped.sentAtMs);
          handleReaction(mapped.reaction, deps);
          break;
      }
    } catch (error) {
      // Not marked seen: Meta's retry of this batch gives it another chance.
      allAccepted = false;
      logger.error('the host did not accept a WhatsApp message; Meta will retry it', {
        messageId: id,
        error: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    if (key !== undefined) deps.seen.mark(key);
  }
  for (const status of batch.statuses) recordStatus(status, deps);
  deps.changed();
  return allAccepted;
}

function opened(deps: IntakeDeps, userId: string, sentAtMs: number | undefined): void {
  deps.windows.opened(userId, sentAtMs ?? Date.now());
}

function handlePress(press: WhatsappPress, deps: IntakeDeps): void {
  const outcome = deps.settled.get(press.messageId);
  if (outcome !== undefined) {
    deps.logger.info('button pressed on a settled WhatsApp message; the outcome is sent again', {
      messageId: press.messageId,
    });
    deps.resendOutcome(press.chat, press.messageId, outcome);
    return;
  }
  // The press is acknowledged (read ticks on it) before the host sees it, as the contract asks.
  deps.graph.markRead(press.id, false).catch((error: unknown) => {
    deps.logger.debug('could not mark a WhatsApp button press read', {
      error: error instanceof Error ? error.message : String(error),
    });
  });
  if (deps.ctx.receiveAction) {
    const action: InboundAction = {
      id: press.id,
      chat: press.chat,
      sender: press.sender,
      messageId: press.messageId,
      actionId: press.actionId,
      receivedAt: press.receivedAt,
      raw: press.raw,
    };
    deps.ctx.receiveAction(action);
    return;
  }
  // A host without buttons gets the label as text: what the user would have typed.
  const message: InboundMessage = {
    id: press.id,
    chat: press.chat,
    sender: press.sender,
    text: press.title,
    mentionsBot: false,
    replyTo: { id: press.messageId },
    attachments: [],
    receivedAt: press.receivedAt,
    raw: press.raw,
  };
  deps.ctx.receive(message);
}

function handleReaction(reaction: WhatsappReaction, deps: IntakeDeps): void {
  if (!deps.deliverReactions) {
    deps.logger.debug('WhatsApp reaction recorded', {
      messageId: reaction.messageId,
      removed: reaction.emoji === '',
    });
    return;
  }
  const text = reaction.emoji === '' ? '[removed a reaction]' : `[reacted ${reaction.emoji}]`;
  deps.ctx.receive({
    id: reaction.id,
    chat: reaction.chat,
    sender: reaction.sender,
    text,
    mentionsBot: false,
    replyTo: { id: reaction.messageId },
    attachments: [],
    receivedAt: reaction.receivedAt,
    raw: reaction.raw,
  });
  deps.liveness.inbound();
}

function recordStatus(status: WhatsappWebhookStatus, deps: IntakeDeps): void {
  // A redelivered status changes nothing; the message-id dedupe memory is kept for messages.
  if (deps.statuses.get(status.id)?.status === status.status) return;
  deps.statuses.set(status.id, {
    status: status.status,
    at: status.timestamp === undefined ? Date.now() : status.timestamp * 1000,
    errors: status.errors,
  });
  if (status.status !== 'failed') return;
  const reengagement = status.errors.some((e) => e.code === GRAPH_REENGAGEMENT);
  if (reengagement && status.recipientId !== undefined) deps.windows.closed(status.recipientId);
  deps.logger.warn('WhatsApp could not deliver a message', {
    messageId: status.id,
    errors: status.errors.map((e) => `#${e.code ?? '?'} ${e.title}`).join('; '),
    ...(reengagement ? { fix: 'the 24-hour window had closed: configure WHATSAPP_TEMPLATE_NAME' } : {}),
  });
}
