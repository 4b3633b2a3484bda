import { randomBytes } from 'node:crypto';
import {
  AdapterError,
  type Capabilities,
  type ChatRef,
  type Logger,
  type OutboundMessage,
  prepareOutboundText,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import type { WecomResponseFrame } from './connection.js';
import { WECOM_PLATFORM, WecomCmd, WecomErrcode } from './constants.js';
import { isWecomErrcode } from './errors.js';
import {
  describeOutboundMedia,
  planWecomUpload,
  uploadWecomMedia,
  type WecomLocalMedia,
  type WecomMediaType,
} from './media-out.js';
import { passesThroughUnchanged } from './passthrough-text.js';
import type { WecomReplyToken, WecomReplyTokenCache } from './reply-tokens.js';

export interface WecomRequestPort {
  request(
    cmd: string,
    body: unknown,
    options?: { reqId?: string; onlyOnConnection?: number },
  ): Promise<WecomResponseFrame>;
}

/** How replies went out since start: passive (callback req_id), proactive, and 846605 fallbacks. */
export interface WecomSendStats {
  passive: number;
  proactive: number;
  staleTokenFallbacks: number;
}

export interface WecomOutboundDeps {
  transport: WecomRequestPort;
  tokens: WecomReplyTokenCache;
  pacer: SendPacer;
  logger: Logger;
  capabilities: Pick<Capabilities, 'maxMessageLength' | 'lengthUnit' | 'markdown'>;
  stats: WecomSendStats;
  /** Called once per send() whose every part WeCom acknowledged. */
  onDelivered?(): void;
}

type Part =
  | { kind: 'text'; content: string }
  | { kind: 'media'; local: WecomLocalMedia; type: WecomMediaType };

/** Shared by the parts of one send: once the token is found dead, the rest go proactively. */
interface Route {
  token: WecomReplyToken | undefined;
  failed: AdapterError | undefined;
  passiveCount: number;
  /** Parts delivered so far; part k may go only once parts 0..k-1 did. */
  delivered: number;
}

/**
 * `replyTo` names the message answered, and its own token is the one to use. For a message this socket never
 * received (it reached another replica's socket, or one before a reconnect) or whose token expired, a DM
 * goes proactively: the chat's latest token belongs to another callback, and a passive reply on it would show
 * as that message's answer. A group keeps the fallback, since WeCom refuses proactive posts there (600039) and
 * a reply tied to a neighbour beats none. Without `replyTo` (cron, home channel) and for `quote:` ids, the
 * chat's latest token serves as before.
 */
function findToken(
  tokens: WecomReplyTokenCache,
  chat: ChatRef,
  replyTo: string | undefined,
): WecomReplyToken | undefined {
  if (replyTo && !replyTo.startsWith('quote:')) {
    const token = tokens.forMessage(replyTo);
    if (token || chat.chatType === 'dm') return token;
  }
  return tokens.forChat(chat.chatId);
}

function markdownBody(content: string): Record<string, unknown> {
  return { msgtype: 'markdown', markdown: { content } };
}

function mediaBody(type: WecomMediaType, mediaId: string): Record<string, unknown> {
  return { msgtype: type, [type]: { media_id: mediaId } };
}

/**
 * Sends one message body: passively with the callback's req_id when there is a token, proactively with
 * `chatid` otherwise. 846605 (the token went stale, e.g. after a reconnect) kills the token and this and
 * later parts go proactively. Resolves to the id of the message.
 */
async function deliver(
  deps: WecomOutboundDeps,
  chat: ChatRef,
  route: Route,
  body: Record<string, unknown>,
): Promise<string> {
  const token = route.token;
  if (token) {
    try {
      // WeCom drops a callback's req_id with its socket (846605 after a reconnect). In a DM the proactive
      // send works, so an old token is not even tried; in a group it is the only chance, so it is.
      const sameSocketOnly = chat.chatType === 'dm' && token.connection !== undefined;
      const options: { reqId: string; onlyOnConnection?: number } = { reqId: token.reqId };
      if (sameSocketOnly) options.onlyOnConnection = token.connection;
      await deps.transport.request(WecomCmd.respond, body, options);
      deps.tokens.markAnswered(token.msgid);
      deps.stats.passive++;
      route.passiveCount++;
      return `${token.reqId}#${route.passiveCount}`;
    } catch (error) {
      if (!isWecomErrcode(error, WecomErrcode.staleReqId)) {
        // Sent but unanswered counts as answered: a second reply could duplicate it.
        if (toAdapterError(error).code === 'timeout_ambiguous') deps.tokens.markAnswered(token.msgid);
        throw error;
      }
      deps.tokens.forget(token.msgid);
      route.token = undefined;
      deps.stats.staleTokenFallbacks++;
      deps.logger.info('WeCom reply token is stale (846605); sending proactively instead', {
        chatId: chat.chatId,
      });
    }
  }
  const response = await deps.transport.request(WecomCmd.send, { chatid: chat.chatId, ...body });
  deps.stats.proactive++;
  return response.reqId || randomBytes(6).toString('hex');
}

/**
 * The parts of one send run one after the other in the chat's lane. Part `index` goes only if every
 * part before it was delivered: this holds however soon the lane starts it after an earlier part failed
 * for good, before or after that failure reached `route.failed`.
 */
async function sendPart(
  deps: WecomOutboundDeps,
  chat: ChatRef,
  route: Route,
  part: Part,
  index: number,
): Promise<string> {
  if (route.failed) throw route.failed;
  if (route.delivered !== index) throw earlierPartFailed();
  let id: string;
  if (part.kind === 'text') {
    id = await deliver(deps, chat, route, markdownBody(part.content));
  } else {
    const uploaded = await uploadWecomMedia(part.local, part.type, async (cmd, body) =>
      deps.transport.request(cmd, body),
    );
    id = await deliver(deps, chat, route, mediaBody(uploaded.type, uploaded.mediaId));
  }
  route.delivered++;
  return id;
}

/** Never retried (code `aborted`); the send reports the earlier part's own error, not this one. */
function earlierPartFailed(): AdapterError {
  return new AdapterError('aborted', 'an earlier part of this message failed; not sent', {
    platform: WECOM_PLATFORM,
  });
}

function textParts(
  deps: WecomOutboundDeps,
  text: string | undefined,
  format: OutboundMessage['format'],
): Part[] {
  if (!text?.trim()) return [];
  const caps = deps.capabilities;
  // Pass-through Markdown that fits as it is: the splitter would hand back the same text.
  if (
    (format ?? 'markdown') === 'markdown' &&
    caps.markdown === 'markdown' &&
    (caps.lengthUnit === 'char' || caps.lengthUnit === 'utf16') &&
    passesThroughUnchanged(text, caps.maxMessageLength)
  ) {
    return [{ kind: 'text', content: text }];
  }
  return prepareOutboundText(text, caps, format ?? 'markdown')
    .map((chunk) => chunk.rendered)
    .filter((content) => content.trim().length > 0)
    .map((content) => ({ kind: 'text' as const, content }));
}

/** Text first, then each media item followed by its caption and, when it was downgraded, the note. */
async function buildParts(deps: WecomOutboundDeps, msg: OutboundMessage): Promise<Part[]> {
  const parts = textParts(deps, msg.text, msg.format);
  for (const media of msg.media ?? []) {
    const local = await describeOutboundMedia(media);
    const plan = planWecomUpload(local, media.kind);
    if (!plan.ok) throw plan.error;
    if (plan.note)
      deps.logger.info('WeCom media downgraded to a file', { file: local.filename, note: plan.note });
    parts.push({ kind: 'media', local, type: plan.type });
    parts.push(...textParts(deps, media.caption, msg.format));
    if (plan.note) parts.push({ kind: 'text', content: `ℹ️ ${plan.note}` });
  }
  return parts;
}

/**
 * The adapter's send(): never throws. Parts are queued in the chat's FIFO lane of the send pacer, which
 * retries only what is safe to repeat (nothing after an ambiguous timeout); the first failure stops the
 * parts after it.
 */
export function sendWecomMessage(
  deps: WecomOutboundDeps,
  chat: ChatRef,
  msg: OutboundMessage,
): Promise<SendResult> {
  if (msg.media?.length) {
    return buildParts(deps, msg).then(
      (parts) => sendParts(deps, chat, msg, parts),
      (error: unknown) => ({ ok: false, error: toAdapterError(error, WECOM_PLATFORM) }),
    );
  }
  // Text alone needs no file reads, so it reaches its chat's lane without a detour through a promise.
  let parts: Part[];
  try {
    parts = textParts(deps, msg.text, msg.format);
  } catch (error) {
    return Promise.resolve({ ok: false, error: toAdapterError(error, WECOM_PLATFORM) });
  }
  return sendParts(deps, chat, msg, parts);
}

function sendParts(
  deps: WecomOutboundDeps,
  chat: ChatRef,
  msg: OutboundMessage,
  parts: Part[],
): Promise<SendResult> {
  if (parts.length === 0) {
    return Promise.resolve({
      ok: false,
      error: new AdapterError('bad_request', 'nothing to send: no text and no media', {
        platform: WECOM_PLATFORM,
      }),
    });
  }
  const route: Route = {
    token: findToken(deps.tokens, chat, msg.replyTo),
    failed: undefined,
    passiveCount: 0,
    delivered: 0,
  };
  if (parts.length === 1) {
    // Most replies are one part: the same as sendSeveral() without the bookkeeping for several.
    const part = parts[0] as Part;
    return deps.pacer
      .run(chat.chatId, () => sendPart(deps, chat, route, part, 0))
      .then(
        (id): SendResult => {
          deps.onDelivered?.();
          return { ok: true, messageIds: [id] };
        },
        (error: unknown) => sendFailed(deps, chat, toAdapterError(error, WECOM_PLATFORM)),
      );
  }
  return sendSeveral(deps, chat, route, parts);
}

async function sendSeveral(
  deps: WecomOutboundDeps,
  chat: ChatRef,
  route: Route,
  parts: Part[],
): Promise<SendResult> {
  // All parts are queued at once so another send() to this chat cannot slip in between them. The first
  // final failure is the one reported; sendPart() refuses every part after it.
  const jobs = parts.map((part, index) =>
    deps.pacer
      .run(chat.chatId, () => sendPart(deps, chat, route, part, index))
      .catch((error: unknown) => {
        route.failed ??= toAdapterError(error, WECOM_PLATFORM);
        throw route.failed;
      }),
  );
  const settled = await Promise.allSettled(jobs);
  if (route.failed) return sendFailed(deps, chat, route.failed);
  deps.onDelivered?.();
  return { ok: true, messageIds: settled.map((s) => (s.status === 'fulfilled' ? s.value : '')) };
}

function sendFailed(deps: WecomOutboundDeps, chat: ChatRef, error: AdapterError): SendResult {
  deps.logger.warn('WeCom send failed', { chatId: chat.chatId, code: error.code, error: error.message });
  return { ok: false, error };
}
