/**
 * The parts of signal-cli's `receive` event we read (JSON of `JsonMessageEnvelope` and friends in
 * signal-cli's source; the daemon's SSE `data:` is `{ account, envelope, exception? }`). Every field is
 * optional here because the daemon omits nulls; `readSignalEvent` checks types before anything trusts them.
 */
export interface SignalMention {
  start: number;
  length: number;
  number?: string;
  uuid?: string;
  name?: string;
}

export interface SignalAttachmentInfo {
  id?: string;
  contentType?: string;
  filename?: string;
  size?: number;
  caption?: string;
}

export interface SignalQuote {
  id?: number;
  author?: string;
  authorNumber?: string;
  authorUuid?: string;
  text?: string;
}

export interface SignalGroupInfo {
  groupId?: string;
  groupName?: string;
  type?: string;
}

export interface SignalDataMessage {
  timestamp?: number;
  message?: string | null;
  mentions?: SignalMention[];
  attachments?: SignalAttachmentInfo[];
  quote?: SignalQuote;
  reaction?: unknown;
  groupInfo?: SignalGroupInfo;
  remoteDelete?: unknown;
  sticker?: unknown;
}

export interface SignalStoryMessage {
  groupId?: string;
  fileAttachment?: SignalAttachmentInfo;
  textAttachment?: { text?: string };
}

export interface SignalEnvelope {
  source?: string;
  sourceNumber?: string | null;
  sourceUuid?: string | null;
  sourceName?: string | null;
  timestamp?: number;
  serverReceivedTimestamp?: number;
  dataMessage?: SignalDataMessage;
  editMessage?: unknown;
  storyMessage?: SignalStoryMessage;
  syncMessage?: unknown;
  callMessage?: unknown;
  receiptMessage?: unknown;
  typingMessage?: unknown;
}

export interface SignalReceiveEvent {
  account?: string;
  envelope?: SignalEnvelope;
  exception?: { message?: string; type?: string };
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; problem: string };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function optionalString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = o[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new Error(`${where}.${key} is ${describeValue(value)}, expected a string`);
  return value;
}

function optionalNumber(o: Record<string, unknown>, key: string, where: string): number | undefined {
  const value = o[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`${where}.${key} is ${describeValue(value)}, expected a number`);
  return value;
}

function optionalRecord(
  o: Record<string, unknown>,
  key: string,
  where: string,
): Record<string, unknown> | undefined {
  const value = o[key];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new Error(`${where}.${key} is ${describeValue(value)}, expected an object`);
  return value;
}

function optionalArray(o: Record<string, unknown>, key: string, where: string): unknown[] | undefined {
  const value = o[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new Error(`${where}.${key} is ${describeValue(value)}, expected an array`);
  return value;
}

function readMention(value: unknown, where: string): SignalMention {
  if (!isRecord(value)) throw new Error(`${where} is ${describeValue(value)}, expected an object`);
  const start = optionalNumber(value, 'start', where);
  const length = optionalNumber(value, 'length', where);
  if (start === undefined || length === undefined) throw new Error(`${where} has no start/length`);
  const mention: SignalMention = { start, length };
  const number = optionalString(value, 'number', where);
  const uuid = optionalString(value, 'uuid', where);
  const name = optionalString(value, 'name', where);
  if (number !== undefined) mention.number = number;
  if (uuid !== undefined) mention.uuid = uuid;
  if (name !== undefined) mention.name = name;
  return mention;
}

function readAttachment(value: unknown, where: string): SignalAttachmentInfo {
  if (!isRecord(value)) throw new Error(`${where} is ${describeValue(value)}, expected an object`);
  const out: SignalAttachmentInfo = {};
  const id = optionalString(value, 'id', where);
  const contentType = optionalString(value, 'contentType', where);
  const filename = optionalString(value, 'filename', where);
  const size = optionalNumber(value, 'size', where);
  const caption = optionalString(value, 'caption', where);
  if (id !== undefined) out.id = id;
  if (contentType !== undefined) out.contentType = contentType;
  if (filename !== undefined) out.filename = filename;
  if (size !== undefined) out.size = size;
  if (caption !== undefined) out.caption = caption;
  return out;
}

function readQuote(o: Record<string, unknown>, where: string): SignalQuote {
  const quote: SignalQuote = {};
  const id = optionalNumber(o, 'id', where);
  if (id !== undefined) quote.id = id;
  for (const key of ['author', 'authorNumber', 'authorUuid', 'text'] as const) {
    const value = optionalString(o, key, where);
    if (value !== undefined) quote[key] = value;
  }
  return quote;
}

function readDataMessage(o: Record<string, unknown>, where: string): SignalDataMessage {
  const data: SignalDataMessage = {};
  const timestamp = optionalNumber(o, 'timestamp', where);
  if (timestamp !== undefined) data.timestamp = timestamp;
  const message = optionalString(o, 'message', where);
  if (message !== undefined) data.message = message;
  const mentions = optionalArray(o, 'mentions', where);
  if (mentions) data.mentions = mentions.map((m, i) => readMention(m, `${where}.mentions[${i}]`));
  const attachments = optionalArray(o, 'attachments', where);
  if (attachments)
    data.attachments = attachments.map((a, i) => readAttachment(a, `${where}.attachments[${i}]`));
  const quote = optionalRecord(o, 'quote', where);
  if (quote) data.quote = readQuote(quote, `${where}.quote`);
  const group = optionalRecord(o, 'groupInfo', where);
  if (group) {
    const info: SignalGroupInfo = {};
    for (const key of ['groupId', 'groupName', 'type'] as const) {
      const value = optionalString(group, key, `${where}.groupInfo`);
      if (value !== undefined) info[key] = value;
    }
    data.groupInfo = info;
  }
  for (const key of ['reaction', 'remoteDelete', 'sticker'] as const) {
    if (o[key] !== undefined && o[key] !== null) data[key] = o[key];
  }
  return data;
}

function readStory(o: Record<string, unknown>, where: string): SignalStoryMessage {
  const story: SignalStoryMessage = {};
  const groupId = optionalString(o, 'groupId', where);
  if (groupId !== undefined) story.groupId = groupId;
  const file = optionalRecord(o, 'fileAttachment', where);
  if (file) story.fileAttachment = readAttachment(file, `${where}.fileAttachment`);
  const text = optionalRecord(o, 'textAttachment', where);
  if (text) {
    const body = optionalString(text, 'text', `${where}.textAttachment`);
    story.textAttachment = body === undefined ? {} : { text: body };
  }
  return story;
}

function readEnvelope(o: Record<string, unknown>): SignalEnvelope {
  const where = 'envelope';
  const env: SignalEnvelope = {};
  for (const key of ['source', 'sourceNumber', 'sourceUuid', 'sourceName'] as const) {
    const value = optionalString(o, key, where);
    if (value !== undefined) env[key] = value;
  }
  for (const key of ['timestamp', 'serverReceivedTimestamp'] as const) {
    const value = optionalNumber(o, key, where);
    if (value !== undefined) env[key] = value;
  }
  const data = optionalRecord(o, 'dataMessage', where);
  if (data) env.dataMessage = readDataMessage(data, `${where}.dataMessage`);
  const story = optionalRecord(o, 'storyMessage', where);
  if (story) env.storyMessage = readStory(story, `${where}.storyMessage`);
  for (const key of [
    'editMessage',
    'syncMessage',
    'callMessage',
    'receiptMessage',
    'typingMessage',
  ] as const) {
    if (o[key] !== undefined && o[key] !== null) env[key] = o[key];
  }
  return env;
}

/** Checks one decoded `receive` event; a wrong type anywhere we read is a problem naming the field. */
export function readSignalEvent(payload: unknown): ReadResult<SignalReceiveEvent> {
  if (!isRecord(payload)) {
    return { ok: false, problem: `expected a JSON object, got ${describeValue(payload)}` };
  }
  try {
    const event: SignalReceiveEvent = {};
    const account = optionalString(payload, 'account', 'event');
    if (account !== undefined) event.account = account;
    const envelope = optionalRecord(payload, 'envelope', 'event');
    if (envelope) event.envelope = readEnvelope(envelope);
    const exception = optionalRecord(payload, 'exception', 'event');
    if (exception) {
      const info: { message?: string; type?: string } = {};
      const message = optionalString(exception, 'message', 'exception');
      const type = optionalString(exception, 'type', 'exception');
      if (message !== undefined) info.message = message;
      if (type !== undefined) info.type = type;
      event.exception = info;
    }
    if (!event.envelope && !event.exception) return { ok: false, problem: 'the event has no envelope' };
    return { ok: true, value: event };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
