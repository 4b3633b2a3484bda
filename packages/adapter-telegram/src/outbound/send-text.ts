import { isAdapterError, type MarkdownChunk, measureLength, prepareOutboundText } from '@hermes/adapter-core';
import { replyParam, type TelegramOutboundDeps, type TelegramTarget } from './deps.js';
import type { TelegramInlineKeyboard } from './inline-keyboard.js';
import { postToChat } from './post.js';

/** One posted message: its id and the text exactly as sent (HTML or plain), for a later edit. */
export interface PostedText {
  id: string;
  text: string;
  html: boolean;
}

/** Extra fields of the last message posted for a chunk (the keyboard goes there). */
type LastExtra = Record<string, unknown>;

async function postPlain(
  deps: TelegramOutboundDeps,
  target: TelegramTarget,
  markdown: string,
  replyTo: string | undefined,
  last: LastExtra,
): Promise<PostedText[]> {
  const out: PostedText[] = [];
  const chunks = prepareOutboundText(markdown, deps.capabilities, 'plain');
  for (const [i, chunk] of chunks.entries()) {
    const id = await postToChat(deps, target, 'sendMessage', {
      text: chunk.rendered,
      ...replyParam(out.length === 0 ? replyTo : undefined),
      ...(i === chunks.length - 1 ? last : {}),
    });
    out.push({ id, text: chunk.rendered, html: false });
  }
  return out;
}

/**
 * One chunk as Telegram HTML. If Telegram cannot parse the entities, that chunk alone is sent again as
 * plain text: the adapter does the fallback itself and never reports `formatting_rejected`, so a host
 * cannot re-send the whole message on top of it.
 */
async function postChunk(
  deps: TelegramOutboundDeps,
  target: TelegramTarget,
  chunk: MarkdownChunk,
  html: boolean,
  replyTo: string | undefined,
  last: LastExtra,
): Promise<PostedText[]> {
  const limit = deps.capabilities.maxMessageLength;
  if (!html) {
    const payload = { text: chunk.rendered, ...replyParam(replyTo), ...last };
    return [
      { id: await postToChat(deps, target, 'sendMessage', payload), text: chunk.rendered, html: false },
    ];
  }
  if (measureLength(chunk.rendered, 'utf16') > limit) {
    deps.logger.error('a rendered chunk is over the Telegram limit; sending it as plain text', {
      length: measureLength(chunk.rendered, 'utf16'),
      limit,
    });
    return postPlain(deps, target, chunk.markdown, replyTo, last);
  }
  try {
    const payload = { text: chunk.rendered, parse_mode: 'HTML', ...replyParam(replyTo), ...last };
    return [{ id: await postToChat(deps, target, 'sendMessage', payload), text: chunk.rendered, html: true }];
  } catch (error) {
    if (!(isAdapterError(error) && error.code === 'formatting_rejected')) throw error;
    deps.logger.warn('Telegram rejected the HTML of a chunk; sent as plain text instead', {
      error: error.message,
    });
    return postPlain(deps, target, chunk.markdown, replyTo, last);
  }
}

/**
 * Renders Markdown to Telegram HTML, splits it at 4096 UTF-16 units (core's splitter checks the rendered
 * size) and posts the chunks in order. `onPosted` sees the ids as they land, so a failure part-way still
 * reports what was delivered. A keyboard goes on the last message posted; that message is returned.
 */
export async function sendTelegramText(
  deps: TelegramOutboundDeps,
  target: TelegramTarget,
  text: string,
  o: {
    format: 'markdown' | 'plain';
    replyTo?: string | undefined;
    keyboard?: TelegramInlineKeyboard | undefined;
    onPosted(ids: string[]): void;
  },
): Promise<PostedText | undefined> {
  const chunks = prepareOutboundText(text, deps.capabilities, o.format).filter(
    (c) => c.rendered.trim() !== '',
  );
  let replyTo = o.replyTo;
  let lastPosted: PostedText | undefined;
  for (const [i, chunk] of chunks.entries()) {
    const last = i === chunks.length - 1 && o.keyboard ? { reply_markup: o.keyboard } : {};
    const posted = await postChunk(deps, target, chunk, o.format !== 'plain', replyTo, last);
    o.onPosted(posted.map((p) => p.id));
    lastPosted = posted.at(-1) ?? lastPosted;
    replyTo = undefined;
  }
  return lastPosted;
}
