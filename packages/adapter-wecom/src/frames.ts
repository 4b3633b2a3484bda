import { randomUUID } from 'node:crypto';
import { WecomCmd } from './constants.js';

/** Media as WeCom puts it in a callback: a URL (often AES-encrypted) or inline base64. */
export interface WecomMediaRef {
  url?: string;
  aeskey?: string;
  base64?: string;
  filename?: string;
  name?: string;
  md5?: string;
}

export interface WecomTextContent {
  content?: string;
}

/** A shared article, card or file. WeCom has used several names for the same fields over time. */
export interface WecomAppMsg {
  title?: string;
  description?: string;
  desc?: string;
  digest?: string;
  summary?: string;
  url?: string;
  content_url?: string;
  page_url?: string;
  link_url?: string;
  file?: WecomMediaRef;
  image?: WecomMediaRef;
}

export interface WecomMixedItem {
  msgtype: string;
  text?: WecomTextContent;
  image?: WecomMediaRef;
}

/** The content part shared by a callback and the message it quotes. */
export interface WecomMessageContent {
  msgtype: string;
  text?: WecomTextContent;
  image?: WecomMediaRef;
  /** WeCom's own speech-to-text of the voice note. */
  voice?: WecomTextContent;
  file?: WecomMediaRef;
  video?: WecomMediaRef;
  mixed?: { msg_item?: WecomMixedItem[] };
  appmsg?: WecomAppMsg;
}

export interface WecomQuote extends WecomMessageContent {
  msgid?: string;
}

export interface WecomCallbackBody extends WecomMessageContent {
  msgid: string;
  aibotid?: string;
  /** Present for groups only. */
  chatid?: string;
  chattype: string;
  from: { userid: string };
  quote?: WecomQuote;
}

/** A frame from WeCom after validation. */
export type WecomInboundFrame =
  | {
      kind: 'callback';
      cmd: typeof WecomCmd.msgCallback | typeof WecomCmd.legacyCallback;
      reqId: string;
      body: WecomCallbackBody;
    }
  | { kind: 'event'; reqId: string; eventType: string; body: Record<string, unknown> }
  | {
      kind: 'response';
      cmd: string;
      reqId: string;
      errcode: number;
      errmsg: string;
      body: Record<string, unknown>;
    }
  | { kind: 'unknown'; cmd: string; reqId: string };

export type WecomFrameParse = { ok: true; frame: WecomInboundFrame } | { ok: false; problem: string };

/** A frame the client sends. */
export interface WecomOutboundFrame {
  cmd: string;
  headers: { req_id: string };
  body?: unknown;
}

/** `<prefix>-<uuid4 hex>`: the prefix tells a reader of the server logs what the request was. */
export function wecomReqId(prefix: string): string {
  return `${prefix}-${randomUUID().replaceAll('-', '')}`;
}

export function encodeWecomFrame(cmd: string, reqId: string, body?: unknown): string {
  const frame: WecomOutboundFrame =
    body === undefined ? { cmd, headers: { req_id: reqId } } : { cmd, headers: { req_id: reqId }, body };
  return JSON.stringify(frame);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errcodeOf(frame: Record<string, unknown>, body: Record<string, unknown>): number | undefined {
  const raw = frame['errcode'] ?? body['errcode'];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  return typeof n === 'number' && Number.isFinite(n) ? n : Number.NaN;
}

function parseCallbackBody(body: Record<string, unknown>): WecomCallbackBody | string {
  const from = body['from'];
  if (!isRecord(from) || typeof from['userid'] !== 'string') return 'callback body has no from.userid';
  if (typeof body['msgtype'] !== 'string') return 'callback body has no msgtype';
  if (body['msgid'] !== undefined && typeof body['msgid'] !== 'string')
    return 'callback msgid is not a string';
  if (body['chatid'] !== undefined && typeof body['chatid'] !== 'string')
    return 'callback chatid is not a string';
  const chattype =
    typeof body['chattype'] === 'string' ? body['chattype'] : body['chatid'] ? 'group' : 'single';
  // The rest of the content is read defensively in inbound.ts: WeCom adds fields without notice. The body
  // is this frame's own fresh parse, so it is completed in place rather than copied.
  body['msgid'] = (body['msgid'] as string | undefined) ?? '';
  body['chattype'] = chattype;
  return body as unknown as WecomCallbackBody;
}

/**
 * Parses one text frame. Anything that does not fit the protocol comes back as a `problem` naming what is
 * wrong, so that the caller logs it and carries on.
 */
export function parseWecomFrame(data: string): WecomFrameParse {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, problem: 'frame is not JSON' };
  }
  if (!isRecord(value)) return { ok: false, problem: 'frame is not a JSON object' };
  const cmd = typeof value['cmd'] === 'string' ? value['cmd'] : '';
  const headers = value['headers'];
  const reqId = isRecord(headers) && typeof headers['req_id'] === 'string' ? headers['req_id'] : '';
  const body = isRecord(value['body']) ? value['body'] : {};

  if (cmd === WecomCmd.msgCallback || cmd === WecomCmd.legacyCallback) {
    if (!reqId) return { ok: false, problem: `${cmd} without headers.req_id` };
    if (!isRecord(value['body'])) return { ok: false, problem: `${cmd} without a body object` };
    const parsed = parseCallbackBody(body);
    if (typeof parsed === 'string') return { ok: false, problem: parsed };
    return { ok: true, frame: { kind: 'callback', cmd, reqId, body: parsed } };
  }
  if (cmd === WecomCmd.eventCallback) {
    const event = isRecord(body['event']) ? body['event'] : {};
    const eventType = String(body['eventtype'] ?? event['eventtype'] ?? '');
    return { ok: true, frame: { kind: 'event', reqId, eventType, body } };
  }
  const errcode = errcodeOf(value, body);
  // Answers carry no cmd (or `pong` for a ping); the req_id ties them to the request.
  if (cmd === '' || cmd === WecomCmd.pong || errcode !== undefined) {
    if (!reqId) return { ok: false, problem: 'response without headers.req_id' };
    if (Number.isNaN(errcode)) return { ok: false, problem: 'response errcode is not a number' };
    const errmsgRaw = value['errmsg'] ?? body['errmsg'];
    const errmsg = typeof errmsgRaw === 'string' ? errmsgRaw : '';
    return { ok: true, frame: { kind: 'response', cmd, reqId, errcode: errcode ?? 0, errmsg, body } };
  }
  return { ok: true, frame: { kind: 'unknown', cmd, reqId } };
}
