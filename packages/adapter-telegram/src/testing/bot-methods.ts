import type { FakeChat, FakeMessage, FakeSentMessage } from './fake-types.js';
import type { FakeWorld } from './fake-world.js';
import { checkTelegramHtml } from './telegram-html.js';

export type MethodOutcome =
  | { ok: true; result: unknown }
  | { ok: false; status: number; description: string; parameters?: Record<string, unknown> };

/** What the fake observed besides posted messages. */
export interface FakeObservations {
  edits: Array<{ chatId: number; messageId: number; text: string; parseMode?: string }>;
  reactions: Array<{ chatId: number; messageId: number; emoji: string }>;
  chatActions: Array<{ chatId: number; action: string; threadId?: number }>;
  deletions: Array<{ chatId: number; messageId: number }>;
  commands: Array<{ command: string; description: string }>;
  webhook?: { url: string; secret?: string };
  /** answerCallbackQuery calls Telegram accepted. */
  callbackAnswers: Array<{ callbackQueryId: string; text?: string; showAlert?: boolean }>;
  /** editMessageReplyMarkup calls Telegram accepted; `replyMarkup` undefined means the keyboard was removed. */
  markupEdits: Array<{ chatId: number; messageId: number; replyMarkup?: unknown }>;
  /** sendMessageDraft calls Telegram accepted, in order. */
  drafts: Array<{ chatId: number; draftId: number; text: string; parseMode?: string; threadId?: number }>;
}

export interface MethodContext {
  world: FakeWorld;
  seen: FakeObservations;
  dropPending(): void;
  /** Marks a callback query answered; false when it is unknown or was answered before. */
  answerQuery(id: string): boolean;
}

type Params = Record<string, unknown>;
type Upload = { field: string; filename: string; data: Buffer };
type Handler = (params: Params, files: Upload[], ctx: MethodContext) => MethodOutcome;

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

/** The reactions Telegram offers (a subset of its list is enough for tests). */
const REACTIONS = new Set([
  '👍',
  '👎',
  '❤',
  '🔥',
  '🎉',
  '🤔',
  '👀',
  '🙏',
  '👌',
  '😁',
  '💯',
  '🤝',
  '✍',
  '😢',
  '🤯',
]);

const bad = (description: string): MethodOutcome => ({
  ok: false,
  status: 400,
  description: `Bad Request: ${description}`,
});
const done = (result: unknown): MethodOutcome => ({ ok: true, result });
const refuse = (description: string): Refusal => ({
  ok: false,
  status: 400,
  description: `Bad Request: ${description}`,
});

function num(params: Params, key: string): number | undefined {
  const v = params[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

function str(params: Params, key: string): string | undefined {
  const v = params[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function obj(params: Params, key: string): Params | undefined {
  const v = params[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Params) : undefined;
}

/** Checks text in its parse mode; returns the visible text or Telegram's error. */
function visible(text: string, parseMode: string | undefined, limit: number, what: string): MethodOutcome {
  let plain = text;
  if (parseMode !== undefined) {
    if (parseMode.toLowerCase() !== 'html') return bad(`unsupported parse_mode "${parseMode}" in this fake`);
    const checked = checkTelegramHtml(text);
    if (!checked.ok) return { ok: false, status: 400, description: checked.description };
    plain = checked.text;
  }
  if (plain.trim() === '' && what === 'text') return bad('message text is empty');
  if (plain.length > limit)
    return bad(what === 'text' ? 'message is too long' : 'message caption is too long');
  return done(plain);
}

interface Place {
  chat: FakeChat;
  thread?: number | undefined;
  replyId?: number | undefined;
}

type Refusal = Extract<MethodOutcome, { ok: false }>;

/** Chat, topic and reply checks shared by every method that posts. */
function place(params: Params, ctx: MethodContext): { ok: true; where: Place } | Refusal {
  const chatId = num(params, 'chat_id');
  if (chatId === undefined) return refuse('chat_id is empty');
  const chat = ctx.world.chat(chatId);
  const thread = num(params, 'message_thread_id');
  if (thread !== undefined && chat.is_forum && !ctx.world.hasTopic(chatId, thread))
    return refuse('message thread not found');
  const reply = obj(params, 'reply_parameters');
  const replyId = reply ? num(reply, 'message_id') : undefined;
  if (
    replyId !== undefined &&
    !ctx.world.message(chatId, replyId) &&
    reply?.['allow_sending_without_reply'] !== true
  ) {
    return refuse('message to be replied not found');
  }
  return {
    ok: true,
    where: {
      chat,
      thread,
      replyId: replyId !== undefined && ctx.world.message(chatId, replyId) ? replyId : undefined,
    },
  };
}

/**
 * Checks `reply_markup` the way Telegram does for inline keyboards: rows of buttons, each with a 1-64
 * byte `callback_data` (or a url). Returns the keyboard (undefined when there is none or it is empty).
 */
function inlineKeyboard(params: Params): { ok: true; markup?: Params } | Refusal {
  const markup = obj(params, 'reply_markup');
  if (params['reply_markup'] !== undefined && !markup)
    return refuse("can't parse reply keyboard markup JSON object");
  if (!markup) return { ok: true };
  const rows = markup['inline_keyboard'];
  if (rows === undefined) return { ok: true, markup };
  if (!Array.isArray(rows) || !rows.every(Array.isArray))
    return refuse('field "inline_keyboard" must be an Array of Arrays');
  for (const row of rows as unknown[][]) {
    for (const button of row) {
      const b = typeof button === 'object' && button !== null ? (button as Params) : {};
      if (typeof b['text'] !== 'string' || b['text'] === '')
        return refuse('text buttons are unallowed in the inline keyboard');
      const data = b['callback_data'];
      if (data === undefined && typeof b['url'] !== 'string')
        return refuse('can\'t find field "callback_data"');
      if (
        data !== undefined &&
        (typeof data !== 'string' || Buffer.byteLength(data) < 1 || Buffer.byteLength(data) > 64)
      )
        return refuse('BUTTON_DATA_INVALID');
    }
  }
  return rows.length === 0 || (rows as unknown[][]).every((r) => r.length === 0)
    ? { ok: true }
    : { ok: true, markup };
}

function post(
  ctx: MethodContext,
  method: string,
  where: Place,
  content: Record<string, unknown>,
  record: Pick<FakeSentMessage, 'text' | 'parseMode' | 'file'>,
  replyMarkup?: Params,
): MethodOutcome {
  const { world } = ctx;
  const messageId = world.nextMessageId(where.chat.id);
  const message: FakeMessage = {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: where.chat,
    from: world.bot,
    ...content,
  };
  if (where.thread !== undefined) {
    message['message_thread_id'] = where.thread;
    if (where.chat.is_forum) message['is_topic_message'] = true;
  }
  if (where.replyId !== undefined) message['reply_to_message'] = world.message(where.chat.id, where.replyId);
  if (replyMarkup) message['reply_markup'] = replyMarkup;
  world.remember(message);
  const sent: FakeSentMessage = {
    method,
    chatId: where.chat.id,
    messageId,
    deleted: false,
    message,
    ...record,
  };
  if (where.thread !== undefined) sent.threadId = where.thread;
  if (where.replyId !== undefined) sent.replyTo = where.replyId;
  world.sent.push(sent);
  return done(message);
}

const sendMessage: Handler = (params, _files, ctx) => {
  const where = place(params, ctx);
  if (!where.ok) return where;
  const text = str(params, 'text') ?? '';
  const parseMode = str(params, 'parse_mode');
  const shown = visible(text, parseMode, TEXT_LIMIT, 'text');
  if (!shown.ok) return shown;
  const keyboard = inlineKeyboard(params);
  if (!keyboard.ok) return keyboard;
  const record: Pick<FakeSentMessage, 'text' | 'parseMode'> = { text };
  if (parseMode) record.parseMode = parseMode;
  return post(ctx, 'sendMessage', where.where, { text: shown.result }, record, keyboard.markup);
};

/** sendPhoto, sendVoice, ...: the file comes as a multipart part (or a file_id string). */
function sendFile(method: string, field: string, kind: string): Handler {
  return (params, files, ctx) => {
    const where = place(params, ctx);
    if (!where.ok) return where;
    const upload = files.find((f) => f.field === field);
    const reference = str(params, field);
    if (!upload && !reference) return bad(`there is no ${field} in the request`);
    const caption = str(params, 'caption');
    const parseMode = str(params, 'parse_mode');
    const keyboard = inlineKeyboard(params);
    if (!keyboard.ok) return keyboard;
    const content: Record<string, unknown> = {};
    if (caption !== undefined) {
      const shown = visible(caption, parseMode, CAPTION_LIMIT, 'caption');
      if (!shown.ok) return shown;
      content['caption'] = shown.result;
    }
    const data = upload?.data ?? ctx.world.file(reference ?? '')?.data;
    if (!data) return bad('wrong file identifier/HTTP URL specified');
    const stored = ctx.world.storeFile(data, { name: upload?.filename ?? 'file', folder: kind });
    const described = { file_id: stored.fileId, file_unique_id: stored.uniqueId, file_size: data.length };
    content[kind] =
      kind === 'photo'
        ? [{ ...described, width: 2, height: 2 }]
        : { ...described, file_name: upload?.filename };
    const record: Pick<FakeSentMessage, 'text' | 'parseMode' | 'file'> = {};
    if (caption !== undefined) record.text = caption;
    if (parseMode) record.parseMode = parseMode;
    if (upload) record.file = upload;
    return post(ctx, method, where.where, content, record, keyboard.markup);
  };
}

const editMessageText: Handler = (params, _files, ctx) => {
  const chatId = num(params, 'chat_id');
  const messageId = num(params, 'message_id');
  const target =
    chatId !== undefined && messageId !== undefined ? ctx.world.message(chatId, messageId) : undefined;
  if (!target || (target['from'] as { id?: number } | undefined)?.id !== ctx.world.bot.id) {
    return bad('message to edit not found');
  }
  const text = str(params, 'text') ?? '';
  const parseMode = str(params, 'parse_mode');
  const shown = visible(text, parseMode, TEXT_LIMIT, 'text');
  if (!shown.ok) return shown;
  const keyboard = inlineKeyboard(params);
  if (!keyboard.ok) return keyboard;
  if (target['text'] === shown.result && sameMarkup(target['reply_markup'], keyboard.markup)) {
    return bad(NOT_MODIFIED);
  }
  target['text'] = shown.result;
  // Like Telegram: an edit without reply_markup leaves the message without an inline keyboard.
  if (keyboard.markup) target['reply_markup'] = keyboard.markup;
  else delete target['reply_markup'];
  target['edit_date'] = Math.floor(Date.now() / 1000);
  const edit: FakeObservations['edits'][number] = { chatId: chatId!, messageId: messageId!, text };
  if (parseMode) edit.parseMode = parseMode;
  ctx.seen.edits.push(edit);
  return done(target);
};

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

function sameMarkup(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The bot's own message in a chat, or undefined. */
function ownMessage(params: Params, ctx: MethodContext): FakeMessage | undefined {
  const chatId = num(params, 'chat_id');
  const messageId = num(params, 'message_id');
  const target =
    chatId !== undefined && messageId !== undefined ? ctx.world.message(chatId, messageId) : undefined;
  return target && (target['from'] as { id?: number } | undefined)?.id === ctx.world.bot.id
    ? target
    : undefined;
}

const editMessageReplyMarkup: Handler = (params, _files, ctx) => {
  const target = ownMessage(params, ctx);
  if (!target) return bad('message to edit not found');
  const keyboard = inlineKeyboard(params);
  if (!keyboard.ok) return keyboard;
  if (sameMarkup(target['reply_markup'], keyboard.markup)) return bad(NOT_MODIFIED);
  if (keyboard.markup) target['reply_markup'] = keyboard.markup;
  else delete target['reply_markup'];
  const edit: FakeObservations['markupEdits'][number] = {
    chatId: target.chat.id,
    messageId: target.message_id,
  };
  if (keyboard.markup) edit.replyMarkup = keyboard.markup;
  ctx.seen.markupEdits.push(edit);
  return done(target);
};

const answerCallbackQuery: Handler = (params, _files, ctx) => {
  const id = str(params, 'callback_query_id');
  if (!id || !ctx.answerQuery(id))
    return bad('query is too old and response timeout expired or query ID is invalid');
  const text = str(params, 'text');
  if (text !== undefined && text.length > 200) return bad('MESSAGE_TOO_LONG');
  const answer: FakeObservations['callbackAnswers'][number] = { callbackQueryId: id };
  if (text !== undefined) answer.text = text;
  if (params['show_alert'] === true) answer.showAlert = true;
  ctx.seen.callbackAnswers.push(answer);
  return done(true);
};

/** Bot API 9.x: a growing draft of a reply, shown in private chats only. */
const sendMessageDraft: Handler = (params, _files, ctx) => {
  const chatId = num(params, 'chat_id');
  if (chatId === undefined) return bad('chat_id is empty');
  if (ctx.world.chat(chatId).type !== 'private')
    return bad('message drafts can be sent only to private chats');
  const draftId = params['draft_id'];
  const id =
    typeof draftId === 'number' ? draftId : typeof draftId === 'string' ? Number(draftId) : Number.NaN;
  if (!Number.isInteger(id) || id === 0) return bad('draft_id must be a non-zero integer');
  const text = str(params, 'text') ?? '';
  const parseMode = str(params, 'parse_mode');
  const shown = visible(text, parseMode, TEXT_LIMIT, 'text');
  if (!shown.ok) return shown;
  const draft: FakeObservations['drafts'][number] = { chatId, draftId: id, text };
  if (parseMode) draft.parseMode = parseMode;
  const thread = num(params, 'message_thread_id');
  if (thread !== undefined) draft.threadId = thread;
  ctx.seen.drafts.push(draft);
  return done(true);
};

const deleteMessage: Handler = (params, _files, ctx) => {
  const chatId = num(params, 'chat_id');
  const messageId = num(params, 'message_id');
  if (chatId === undefined || messageId === undefined || !ctx.world.forget(chatId, messageId)) {
    return bad('message to delete not found');
  }
  for (const s of ctx.world.sent) if (s.chatId === chatId && s.messageId === messageId) s.deleted = true;
  ctx.seen.deletions.push({ chatId, messageId });
  return done(true);
};

const setMessageReaction: Handler = (params, _files, ctx) => {
  const chatId = num(params, 'chat_id');
  const messageId = num(params, 'message_id');
  if (chatId === undefined || messageId === undefined || !ctx.world.message(chatId, messageId)) {
    return bad('message to react not found');
  }
  const list = params['reaction'];
  const first = Array.isArray(list) ? (list[0] as Params | undefined) : undefined;
  const emoji = first ? str(first, 'emoji') : undefined;
  if (emoji === undefined || !REACTIONS.has(emoji)) return bad('REACTION_INVALID');
  ctx.seen.reactions.push({ chatId, messageId, emoji });
  return done(true);
};

const sendChatAction: Handler = (params, _files, ctx) => {
  const chatId = num(params, 'chat_id');
  const action = str(params, 'action');
  if (chatId === undefined || !action) return bad('chat_id and action are required');
  const thread = num(params, 'message_thread_id');
  ctx.seen.chatActions.push(thread === undefined ? { chatId, action } : { chatId, action, threadId: thread });
  return done(true);
};

const setMyCommands: Handler = (params, _files, ctx) => {
  const list = params['commands'];
  if (!Array.isArray(list)) return bad('field "commands" must be an Array');
  const commands: FakeObservations['commands'] = [];
  for (const item of list as Params[]) {
    const command = str(item, 'command') ?? '';
    const description = str(item, 'description') ?? '';
    if (!/^[a-z0-9_]{1,32}$/.test(command)) return bad('BOT_COMMAND_INVALID');
    if (description.length < 1 || description.length > 256) return bad('BOT_COMMAND_DESCRIPTION_INVALID');
    commands.push({ command, description });
  }
  ctx.seen.commands = commands;
  return done(true);
};

const getFile: Handler = (params, _files, ctx) => {
  const file = ctx.world.file(str(params, 'file_id') ?? '');
  if (!file) return bad('invalid file_id');
  return done({
    file_id: file.fileId,
    file_unique_id: file.uniqueId,
    file_size: file.data.length,
    file_path: file.path,
  });
};

const setWebhook: Handler = (params, _files, ctx) => {
  const url = str(params, 'url') ?? '';
  const secret = str(params, 'secret_token');
  if (params['drop_pending_updates'] === true) ctx.dropPending();
  if (url === '') {
    delete ctx.seen.webhook;
    return done(true);
  }
  ctx.seen.webhook = secret === undefined ? { url } : { url, secret };
  return done(true);
};

const deleteWebhook: Handler = (params, _files, ctx) => {
  if (params['drop_pending_updates'] === true) ctx.dropPending();
  delete ctx.seen.webhook;
  return done(true);
};

/** Every method the fake speaks besides getUpdates (which needs to hold the request). */
export const BOT_METHODS: Readonly<Record<string, Handler>> = {
  getMe: (_p, _f, ctx) =>
    done({
      ...ctx.world.bot,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    }),
  sendMessage,
  sendPhoto: sendFile('sendPhoto', 'photo', 'photo'),
  sendDocument: sendFile('sendDocument', 'document', 'document'),
  sendVoice: sendFile('sendVoice', 'voice', 'voice'),
  sendAudio: sendFile('sendAudio', 'audio', 'audio'),
  sendVideo: sendFile('sendVideo', 'video', 'video'),
  sendAnimation: sendFile('sendAnimation', 'animation', 'animation'),
  editMessageText,
  editMessageReplyMarkup,
  answerCallbackQuery,
  sendMessageDraft,
  deleteMessage,
  setMessageReaction,
  sendChatAction,
  setMyCommands,
  getMyCommands: (_p, _f, ctx) => done(ctx.seen.commands),
  getFile,
  setWebhook,
  deleteWebhook,
  getWebhookInfo: (_p, _f, ctx) =>
    done({ url: ctx.seen.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0 }),
};
