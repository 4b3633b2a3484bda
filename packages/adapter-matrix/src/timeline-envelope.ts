import { EventType, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';

/** The clear (decrypted) event as the homeserver's JSON spells it. */
export interface MatrixClearEvent {
  event_id?: unknown;
  sender?: unknown;
  type?: unknown;
  origin_server_ts?: unknown;
  content?: unknown;
}

/**
 * One timeline event plus the room facts the mapping needs, as plain data: the mapping stays a pure
 * function and the tests can feed it without an SDK client.
 */
export interface MatrixTimelineEnvelope {
  roomId: string;
  roomName?: string;
  /** m.direct says so, or the room has at most two joined members. */
  isDirect: boolean;
  /** The bot's display name in this room (mentions by name). */
  botName?: string;
  senderName?: string;
  event: MatrixClearEvent;
  /** The event came in encrypted (its content here is the decrypted one). */
  encrypted: boolean;
  /** Set when decryption failed: the reason, for the log. */
  decryptionFailure?: string;
  /** The event this one replies to, when the client knows it. */
  replyTarget?: { sender?: string; body?: string };
}

function directRoomIds(client: MatrixClient): Set<string> {
  const content = client.getAccountData(EventType.Direct)?.getContent() as
    | Record<string, unknown>
    | undefined;
  const ids = new Set<string>();
  for (const rooms of Object.values(content ?? {})) {
    if (Array.isArray(rooms)) for (const id of rooms) if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

export function describeTimelineEvent(
  client: MatrixClient,
  event: MatrixEvent,
  room: Room,
): MatrixTimelineEnvelope {
  const clear = event.getEffectiveEvent() as MatrixClearEvent;
  const botId = client.getUserId() ?? undefined;
  const joined = room.getJoinedMemberCount();
  const envelope: MatrixTimelineEnvelope = {
    roomId: room.roomId,
    isDirect: directRoomIds(client).has(room.roomId) || (joined > 0 && joined <= 2),
    event: clear,
    encrypted: event.isEncrypted(),
  };
  const name = room.name;
  if (name && !name.startsWith('!')) envelope.roomName = name;
  const botName = botId ? room.getMember(botId)?.name : undefined;
  if (botName) envelope.botName = botName;
  const sender = event.getSender();
  const senderName = sender ? room.getMember(sender)?.name : undefined;
  if (senderName) envelope.senderName = senderName;
  if (event.isDecryptionFailure()) {
    envelope.decryptionFailure = event.decryptionFailureReason ?? 'unable to decrypt';
  }
  const content = (clear.content ?? {}) as Record<string, unknown>;
  const relates = content['m.relates_to'] as Record<string, unknown> | undefined;
  const inReplyTo = (relates?.['m.in_reply_to'] as Record<string, unknown> | undefined)?.['event_id'];
  if (typeof inReplyTo === 'string') {
    const target = room.findEventById(inReplyTo);
    if (target) {
      const targetSender = target.getSender();
      const body = (target.getContent() as Record<string, unknown>)['body'];
      envelope.replyTarget = {
        ...(targetSender ? { sender: targetSender } : {}),
        ...(typeof body === 'string' ? { body } : {}),
      };
    }
  }
  return envelope;
}
