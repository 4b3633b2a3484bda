import type { FakeChat, FakeTelegram, FakeUser } from '@hermes/adapter-telegram/testing';
import type { FakeOpenAI } from '@hermes/agent/testing';
import { lastUserText } from '@hermes/agent/testing';

/**
 * Traffic for the replica tests and the replica benchmark: Telegram users writing at a steady pace, a
 * trickle of API-server requests, and the checks that every message was answered once, in order.
 * Every message carries a token (`u07-m13`, `api-0042`) that the echo model repeats, so each reply can
 * be attributed to the message it answers (or the messages: Telegram texts sent close together reach the
 * model as one batch, and its one reply then carries each of their tokens, in order).
 */

/** Small, seeded, good enough to make a run's timings reproducible from its logged seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrafficUser {
  index: number;
  user: FakeUser;
  chat: FakeChat;
}

/** `count` users, each with a private chat of its own, registered in the fake's world. */
export function makeTelegramUsers(telegram: FakeTelegram, count: number, firstId = 710_001): TrafficUser[] {
  return Array.from({ length: count }, (_, index) => {
    const id = firstId + index;
    const user: FakeUser = { id, is_bot: false, first_name: `User${index + 1}`, username: `user_${id}` };
    const chat = telegram.world.chat({ id, type: 'private', first_name: user.first_name });
    return { index, user, chat };
  });
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const telegramToken = (user: number, seq: number): string => `u${pad(user, 2)}-m${pad(seq, 2)}`;
const TELEGRAM_TOKEN = /\bu(\d+)-m(\d+)\b/g;

export interface SentTelegramMessage {
  user: number;
  chatId: number;
  seq: number;
  token: string;
  sentAt: number;
  /** Telegram's update_id for it (post-mortems: which replica fetched it, see TapCall.updates). */
  updateId?: number;
  messageId?: number;
}

export interface TelegramTrafficPlan {
  messagesPerUser: number;
  /** Mean pause between two messages of one user. */
  meanGapMs: number;
  /** Each pause is meanGapMs × (1 ± jitter), uniformly. */
  jitter: number;
  seed: number;
}

export interface TelegramTraffic extends PacedTraffic<SentTelegramMessage> {
  readonly plan: TelegramTrafficPlan;
}

/** What a user-paced traffic run exposes, whatever the platform. */
export interface PacedTraffic<S> {
  readonly total: number;
  /** Messages handed to the fake so far, in the order they were sent. */
  readonly sent: readonly S[];
  /** Resolves once `fraction` of all messages were sent; rejects after `timeoutMs`. */
  reached(fraction: number, timeoutMs: number): Promise<void>;
  /** Resolves when every user sent its last message. */
  readonly done: Promise<void>;
  /** Stops sending (for cleanup after a failure); pending pauses end at once. */
  stop(): void;
}

/**
 * Every user writes `messagesPerUser` messages, one after another with a jittered pause, never waiting
 * for the bot's replies (people do not). Users start at random points of the first pause, so the total
 * rate is steady: about users / meanGapMs messages per millisecond. `send` hands one message to the fake.
 */
export function startPacedTraffic<U, S>(
  label: string,
  users: readonly U[],
  plan: Omit<TelegramTrafficPlan, 'seed'> & { seed: number },
  send: (user: U, seq: number) => S,
): PacedTraffic<S> {
  const random = seededRandom(plan.seed);
  const sent: S[] = [];
  const total = users.length * plan.messagesPerUser;
  const timers = new Set<{ timer: ReturnType<typeof setTimeout>; wake: () => void }>();
  let stopped = false;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      timers.add(entry);
    });
  const gap = () => plan.meanGapMs * (1 + plan.jitter * (2 * random() - 1));
  const firstPauses = users.map(() => random() * plan.meanGapMs);
  const userLoop = async (u: U, firstPause: number) => {
    await pause(firstPause);
    for (let seq = 1; seq <= plan.messagesPerUser && !stopped; seq++) {
      sent.push(send(u, seq));
      if (seq < plan.messagesPerUser) await pause(gap());
    }
  };
  const done = Promise.all(users.map((u, i) => userLoop(u, firstPauses[i] ?? 0))).then(() => undefined);
  return {
    total,
    sent,
    done,
    async reached(fraction, timeoutMs) {
      const want = Math.ceil(total * fraction);
      const deadline = Date.now() + timeoutMs;
      while (sent.length < want) {
        if (Date.now() > deadline)
          throw new Error(`${label}: only ${sent.length} of ${want} messages sent after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop() {
      stopped = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.wake();
      }
      timers.clear();
    },
  };
}

/** Telegram users on their own jittered clocks (see `startPacedTraffic`). */
export function startTelegramTraffic(
  telegram: FakeTelegram,
  users: readonly TrafficUser[],
  plan: TelegramTrafficPlan,
): TelegramTraffic {
  const traffic = startPacedTraffic('traffic', users, plan, (u, seq): SentTelegramMessage => {
    const token = telegramToken(u.index + 1, seq);
    const { updateId, message } = telegram.sendText({ chat: u.chat, from: u.user, text: `msg ${token}` });
    return {
      user: u.index + 1,
      chatId: u.chat.id,
      seq,
      token,
      sentAt: Date.now(),
      updateId,
      messageId: message.message_id,
    };
  });
  return Object.assign(traffic, { plan });
}

export interface TelegramReplyCheck {
  expected: number;
  answered: number;
  /** Messages whose echo the bot never sent. */
  missing: SentTelegramMessage[];
  /** Tokens whose echo the bot sent more than once (count = how many messages carried it). */
  duplicated: Array<{ token: string; count: number }>;
  /** Per chat, the first place where an echo came before the echo of an earlier message. */
  outOfOrder: Array<{ chatId: number; after: string; got: string }>;
  /** Echoes that landed in a chat other than the one their message came from. */
  misrouted: Array<{ token: string; chatId: number }>;
  /** Bot messages answering more than one message (the adapter batches texts sent close together). */
  merged: number;
}

/** Each bot message as it reads now: the text it was sent with, changed by any later edit. */
function finalBotTexts(telegram: FakeTelegram): Array<{ chatId: number; text: string }> {
  const edited = new Map<string, string>();
  for (const e of telegram.seen.edits) edited.set(`${e.chatId}:${e.messageId}`, e.text);
  return telegram.sent
    .filter((m) => m.text !== undefined)
    .map((m) => ({ chatId: m.chatId, text: edited.get(`${m.chatId}:${m.messageId}`) ?? m.text ?? '' }));
}

/**
 * What the bot sent, against what the users sent: every message answered by exactly one bot message
 * carrying its token, in the chat it came from, and per chat in the order the messages were sent.
 */
export function checkTelegramReplies(
  sent: readonly SentTelegramMessage[],
  telegram: FakeTelegram,
): TelegramReplyCheck {
  const bySent = new Map(sent.map((m) => [m.token, m]));
  const counts = new Map<string, number>();
  const misrouted: TelegramReplyCheck['misrouted'] = [];
  const perChat = new Map<number, SentTelegramMessage[]>();
  let merged = 0;
  for (const { chatId, text } of finalBotTexts(telegram)) {
    let carried = 0;
    for (const match of text.matchAll(TELEGRAM_TOKEN)) {
      const token = match[0];
      const origin = bySent.get(token);
      if (!origin) continue;
      carried += 1;
      counts.set(token, (counts.get(token) ?? 0) + 1);
      if (origin.chatId !== chatId) {
        misrouted.push({ token, chatId });
        continue;
      }
      const list = perChat.get(chatId) ?? [];
      list.push(origin);
      perChat.set(chatId, list);
    }
    if (carried > 1) merged += 1;
  }
  return { ...tallyReplies(sent, counts, perChat), misrouted, merged };
}

/**
 * What every platform's check reports the same way: answered, missing and duplicated tokens from `counts`
 * (how many accepted replies carried each token), and per chat the first reply out of order.
 */
export function tallyReplies<C, S extends { token: string; seq: number }>(
  sent: readonly S[],
  counts: ReadonlyMap<string, number>,
  perChat: ReadonlyMap<C, readonly S[]>,
): {
  expected: number;
  answered: number;
  missing: S[];
  duplicated: Array<{ token: string; count: number }>;
  outOfOrder: Array<{ chatId: C; after: string; got: string }>;
} {
  const outOfOrder: Array<{ chatId: C; after: string; got: string }> = [];
  for (const [chatId, replies] of perChat) {
    let last: S | undefined;
    for (const reply of replies) {
      if (last && reply.seq <= last.seq) {
        // A duplicate shows up here too (same seq again); it is reported as a duplicate, not as disorder.
        if (reply.seq === last.seq) continue;
        outOfOrder.push({ chatId, after: last.token, got: reply.token });
        break;
      }
      last = reply;
    }
  }
  return {
    expected: sent.length,
    answered: sent.filter((m) => counts.has(m.token)).length,
    missing: sent.filter((m) => !counts.has(m.token)),
    duplicated: [...counts].filter(([, count]) => count > 1).map(([token, count]) => ({ token, count })),
    outOfOrder,
  };
}

/** How many times the model was asked to answer each token (more than once: a turn ran again). */
export function modelRunsPerToken(fake: FakeOpenAI, tokens: Iterable<string>): Map<string, number> {
  const runs = new Map<string, number>();
  for (const token of tokens) runs.set(token, 0);
  for (const request of fake.requests) {
    const text = lastUserText(request.body);
    for (const match of text.matchAll(/\b(?:u\d+-m\d+|w\d+-m\d+|api-\d+)\b/g)) {
      const count = runs.get(match[0]);
      if (count !== undefined) runs.set(match[0], count + 1);
    }
  }
  return runs;
}

// ---- the API server trickle ----

export interface ApiTarget {
  name: string;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
}

export interface ApiRequestRecord {
  token: string;
  target: string;
  sentAt: number;
  answeredAt?: number;
  status?: number;
  content?: string;
  error?: string;
}

export interface ApiTrickle {
  readonly records: readonly ApiRequestRecord[];
  /** Waits (bounded) until no request to `target` is in flight, e.g. before that replica is killed. */
  drain(target: string, timeoutMs: number): Promise<void>;
  /** Stops sending and waits (bounded by the request timeout) for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * One chat-completions request every `everyMs`, round-robin over the replicas `targets()` lists at that
 * moment (what a load balancer with health checks would route to). Each request is its own conversation.
 */
export function startApiTrickle(o: {
  targets: () => readonly ApiTarget[];
  key: string;
  everyMs: number;
  requestTimeoutMs: number;
}): ApiTrickle {
  const records: ApiRequestRecord[] = [];
  const inFlight = new Map<string, Set<Promise<void>>>();
  let next = 0;
  let turn = 0;
  const send = (target: ApiTarget) => {
    next += 1;
    const record: ApiRequestRecord = {
      token: `api-${pad(next, 4)}`,
      target: target.name,
      sentAt: Date.now(),
    };
    records.push(record);
    const request = (async () => {
      try {
        const res = await fetch(`${target.baseUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${o.key}` },
          body: JSON.stringify({
            model: 'hermes-agent',
            messages: [{ role: 'user', content: `msg ${record.token}` }],
          }),
          signal: AbortSignal.timeout(o.requestTimeoutMs),
        });
        record.status = res.status;
        const body = (await res.json().catch(() => undefined)) as
          | { choices?: Array<{ message?: { content?: string } }> }
          | undefined;
        const content = body?.choices?.[0]?.message?.content;
        if (content !== undefined) record.content = content;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      } finally {
        record.answeredAt = Date.now();
      }
    })();
    const set = inFlight.get(target.name) ?? new Set();
    set.add(request);
    inFlight.set(target.name, set);
    void request.finally(() => set.delete(request));
  };
  const timer = setInterval(() => {
    const targets = o.targets();
    if (targets.length === 0) return;
    const target = targets[turn % targets.length];
    turn += 1;
    if (target) send(target);
  }, o.everyMs);
  const settle = async (requests: Promise<void>[], timeoutMs: number) => {
    await Promise.race([Promise.allSettled(requests), new Promise((r) => setTimeout(r, timeoutMs))]);
  };
  return {
    records,
    drain: (target, timeoutMs) => settle([...(inFlight.get(target) ?? [])], timeoutMs),
    async stop() {
      clearInterval(timer);
      await settle(
        [...inFlight.values()].flatMap((s) => [...s]),
        o.requestTimeoutMs + 1_000,
      );
    },
  };
}

export interface ApiReplyCheck {
  sent: number;
  /** Requests answered with 200 and the echo of their own token. */
  answered: number;
  /** Requests that failed, timed out, or were answered with something else. */
  failed: ApiRequestRecord[];
}

export function checkApiReplies(records: readonly ApiRequestRecord[]): ApiReplyCheck {
  const ok = (r: ApiRequestRecord) => r.status === 200 && r.content === `echo: msg ${r.token}`;
  return {
    sent: records.length,
    answered: records.filter(ok).length,
    failed: records.filter((r) => !ok(r)),
  };
}
