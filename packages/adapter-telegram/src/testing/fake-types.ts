/** Bot API objects as the fake builds them (a subset of Telegram's fields, same names). */
export interface FakeUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

export interface FakeChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  is_forum?: boolean;
}

export interface FakeEntity {
  type: string;
  offset: number;
  length: number;
  user?: FakeUser;
}

/** A message object as it appears in updates and method results. */
export type FakeMessage = Record<string, unknown> & {
  message_id: number;
  date: number;
  chat: FakeChat;
};

/** One call to a Bot API method, as the fake received it. */
export interface FakeBotApiCall {
  method: string;
  /** JSON body, form fields or query parameters; JSON-looking form fields are decoded as Telegram does. */
  params: Record<string, unknown>;
  files: Array<{ field: string; filename: string; data: Buffer }>;
  receivedAt: number;
  /** Set once answered; undefined while a long poll is held or when the connection was dropped. */
  status?: number;
  respondedAt?: number;
  /** The fault applied instead of the normal answer, if any. */
  fault?: FakeTelegramFault;
}

/** A message the bot posted that the fake accepted. */
export interface FakeSentMessage {
  method: string;
  chatId: number;
  messageId: number;
  threadId?: number;
  /** Text (or caption) exactly as sent, still in the parse mode's markup. */
  text?: string;
  parseMode?: string;
  replyTo?: number;
  file?: { field: string; filename: string; data: Buffer };
  deleted: boolean;
  /** The message object returned to the bot. */
  message: FakeMessage;
}

/** What the fault queue can do to the next matching call. */
export type FakeTelegramFault =
  /** Destroy the socket without an answer. */
  | { kind: 'drop' }
  /** Wait, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** An HTTP status with Telegram's error body (or the given body). */
  | { kind: 'status'; status: number; description?: string; body?: unknown }
  /** 429 with `parameters.retry_after`, like Telegram's flood control. */
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  /** 200 with a body that is not JSON. */
  | { kind: 'garbage' }
  /** getUpdates only: also serve up to `count` updates that were already confirmed (a replay). */
  | { kind: 'replay'; count: number };

export interface FakeFaultMatch {
  /** Method name or pattern, e.g. 'getUpdates' or /^send/. */
  method?: string | RegExp;
}

export interface AppliedFakeFault {
  fault: FakeTelegramFault;
  call: FakeBotApiCall;
}
