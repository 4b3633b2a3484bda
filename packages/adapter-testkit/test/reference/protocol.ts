/**
 * "Echo chat": a made-up chat platform, small enough to read in one sitting, that behaves like the
 * real ones where it matters to an adapter (TEST-ONLY; it exists to exercise the conformance suite).
 *
 * WebSocket `/ws?token=T`: the server greets with `hello`, then pushes `message` events. The client
 * acks each event with `{type:'ack', id}`; unacked events are delivered again on the next connection
 * (at-least-once, like Slack socket mode), so the adapter must dedupe. `ping` → `pong` keeps it alive.
 * REST under `/api` with `Authorization: Bearer T`; 429 answers carry `Retry-After` and `retry_after`.
 */

export type EchoChatKind = 'direct' | 'group';

export interface EchoChatFileRef {
  file_id: string;
  kind: 'image' | 'audio' | 'voice' | 'video' | 'file' | 'sticker';
  name: string;
  mime: string;
  size: number;
}

export interface EchoChatMessageEvent {
  type: 'message';
  id: string;
  chat: { id: string; kind: EchoChatKind; thread?: string };
  from: { id: string; name: string; bot?: boolean };
  text: string;
  /** User ids mentioned in the text; the text carries them as `@name`. */
  mentions: string[];
  files?: EchoChatFileRef[];
  /** Unix seconds, as many platforms send. */
  ts: number;
}

export type EchoChatServerFrame =
  | { type: 'hello'; session: number }
  | { type: 'pong'; n: number }
  | EchoChatMessageEvent;

export type EchoChatClientFrame = { type: 'ack'; id: string } | { type: 'ping'; n: number };

export interface EchoChatSendBody {
  text: string;
  thread?: string;
  reply_to?: string;
}

export interface EchoChatMe {
  id: string;
  name: string;
}

export const ECHO_CHAT_WS_PATH = '/ws';
