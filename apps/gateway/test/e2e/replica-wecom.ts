import type { WecomFakeReply, WecomFakeServer } from '@hermes/adapter-wecom/testing';
import { type PacedTraffic, startPacedTraffic, tallyReplies } from './replica-traffic.js';

/**
 * WeCom traffic for the replica tests, beside the Telegram traffic: users writing DMs to the AI bot at a
 * steady pace, each message carrying a token (`w03-m07`) that the echo model repeats, and the check that
 * every message was answered once, in order, in its own chat. WeCom answers a callback passively
 * (`aibot_respond_msg` on the callback's `req_id`, only on the socket that received it) or proactively
 * (`aibot_send_msg` to the chat); both count as the answer, and the check counts them apart.
 */

export interface WecomTrafficUser {
  index: number;
  /** The WeCom userid; a DM's chat is named after it. */
  userId: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Lower-case ids: the host compares WeCom ids lower-cased, so the allowlist matches them as written. */
export function makeWecomUsers(count: number): WecomTrafficUser[] {
  return Array.from({ length: count }, (_, index) => ({ index, userId: `wuser${pad(index + 1, 2)}` }));
}

export const wecomToken = (user: number, seq: number): string => `w${pad(user, 2)}-m${pad(seq, 2)}`;
const WECOM_TOKEN = /\bw(\d+)-m(\d+)\b/g;

export interface SentWecomMessage {
  user: number;
  chatId: string;
  seq: number;
  token: string;
  sentAt: number;
  reqId: string;
  msgid: string;
  /**
   * The connection the fake had subscribed when the callback was handed to it (undefined: none, the callback
   * waited in the fake's queue for the next subscription). The fake pushes to that socket if it is still open.
   */
  connection?: number;
}

export interface WecomTrafficPlan {
  messagesPerUser: number;
  meanGapMs: number;
  jitter: number;
  seed: number;
}

export type WecomTraffic = PacedTraffic<SentWecomMessage>;

/** The connection of the newest accepted subscription while the fake says one is live. */
export function liveWecomConnection(wecom: WecomFakeServer): number | undefined {
  if (!wecom.isSubscribed) return undefined;
  return wecom.subscriptions.filter((s) => s.errcode === 0).at(-1)?.connection;
}

/** WeCom users on their own jittered clocks, like the Telegram traffic (see `startPacedTraffic`). */
export function startWecomTraffic(
  wecom: WecomFakeServer,
  users: readonly WecomTrafficUser[],
  plan: WecomTrafficPlan,
): WecomTraffic {
  return startPacedTraffic('wecom traffic', users, { ...plan, seed: plan.seed ^ 0x5eed }, (u, seq) => {
    const token = wecomToken(u.index + 1, seq);
    const connection = liveWecomConnection(wecom);
    const { reqId, msgid } = wecom.deliverText(`msg ${token}`, { from: u.userId, chatId: u.userId });
    const record: SentWecomMessage = {
      user: u.index + 1,
      chatId: u.userId,
      seq,
      token,
      sentAt: Date.now(),
      reqId,
      msgid,
    };
    if (connection !== undefined) record.connection = connection;
    return record;
  });
}

export interface WecomReplyCheck {
  expected: number;
  answered: number;
  missing: SentWecomMessage[];
  duplicated: Array<{ token: string; count: number }>;
  outOfOrder: Array<{ chatId: string; after: string; got: string }>;
  misrouted: Array<{ token: string; chatId: string }>;
  /** Accepted replies carrying more than one token (text batching folds close messages into one turn). */
  merged: number;
  /** Tokens answered by an accepted passive reply, and by an accepted proactive one. */
  passive: number;
  proactive: number;
  /**
   * Accepted passive replies on a req_id other than the one of the message (or of one of the messages) they
   * answer: a reply can only be tied to its own callback, so any entry here is a bug.
   */
  foreignReqId: Array<{ token: string; reqId: string; connection: number }>;
  /** Replies the fake refused, by errcode (846605 = a req_id of another socket: the adapter then goes proactive). */
  refused: Map<number, number>;
}

/**
 * What the bot sent (as the fake accepted it), against what the users sent: every message answered by
 * exactly one accepted reply carrying its token, in the chat it came from, in the order per chat.
 */
export function checkWecomReplies(
  sent: readonly SentWecomMessage[],
  replies: readonly WecomFakeReply[],
): WecomReplyCheck {
  const bySent = new Map(sent.map((m) => [m.token, m]));
  const counts = new Map<string, number>();
  const misrouted: WecomReplyCheck['misrouted'] = [];
  const foreignReqId: WecomReplyCheck['foreignReqId'] = [];
  const perChat = new Map<string, SentWecomMessage[]>();
  const refused = new Map<number, number>();
  let merged = 0;
  let passive = 0;
  let proactive = 0;
  for (const reply of replies) {
    if (reply.errcode !== 0) {
      refused.set(reply.errcode, (refused.get(reply.errcode) ?? 0) + 1);
      continue;
    }
    const origins = [...(reply.content ?? '').matchAll(WECOM_TOKEN)]
      .map((match) => bySent.get(match[0]))
      .filter((m): m is SentWecomMessage => m !== undefined);
    if (origins.length > 1) merged += 1;
    // A batch is answered on the req_id of one of its messages (the adapter replies to the batch's last).
    if (reply.via === 'respond' && origins.length > 0 && !origins.some((o) => o.reqId === reply.reqId))
      foreignReqId.push({ token: origins[0]!.token, reqId: reply.reqId, connection: reply.connection });
    for (const origin of origins) {
      counts.set(origin.token, (counts.get(origin.token) ?? 0) + 1);
      if (reply.via === 'respond') passive += 1;
      else proactive += 1;
      if (origin.chatId !== reply.chatId) {
        misrouted.push({ token: origin.token, chatId: reply.chatId });
        continue;
      }
      const list = perChat.get(reply.chatId) ?? [];
      list.push(origin);
      perChat.set(reply.chatId, list);
    }
  }
  return {
    ...tallyReplies(sent, counts, perChat),
    misrouted,
    merged,
    passive,
    proactive,
    foreignReqId,
    refused,
  };
}
