import { isAdapterError, type MarkdownChunk, measureLength, prepareOutboundText } from '@hermes/adapter-core';
import { replyParam, type TelegramOutboundDeps, type TelegramTarget } from './deps.js';
import { postToChat } from './post.js';

async function postPlain(
  deps: TelegramOutboundDeps,
  target: TelegramTarget,
  markdown: string,
  replyTo: string | undefined,
): Promise<string[]> {
  const ids: string[] = [];
  for (const chunk of prepareOutboundText(markdown, deps.capabilities, 'plain')) {
    ids.push(
      await postToChat(deps, target, 'sendMessage', {
        text: chunk.rendered,
        ...replyParam(ids.length === 0 ? replyTo : undefined),
      }),
    );
  }
  return ids;
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
): Promise<string[]> {
  const limit = deps.capabilities.maxMessageLength;
  if (!html)
    return [await postToChat(deps, target, 'sendMessage', { text: chunk.rendered, ...replyParam(replyTo) })];
  if (measureLength(chunk.rendered, 'utf16') > limit) {
    deps.logger.error('a rendered chunk is over the Telegram limit; sending it as plain text', {
      length: measureLength(chunk.rendered, 'utf16'),
      limit,
    });
    return postPlain(deps, target, chunk.markdown, replyTo);
  }
  try {
    const payload = { text: chunk.rendered, parse_mode: 'HTML', ...replyParam(replyTo) };
    return [await postToChat(deps, target, 'sendMessage', payload)];
  } catch (error) {
    if (!(isAdapterError(error) && error.code === 'formatting_rejected')) throw error;
    deps.logger.warn('Telegram rejected the HTML of a chunk; sent as plain text instead', {
      error: error.message,
    });
    return postPlain(deps, target, chunk.markdown, replyTo);
  }
}

/**
 * Renders Markdown to Telegram HTML, splits it at 4096 UTF-16 units (core's splitter checks the rendered
 * size) and posts the chunks in order. `onPosted` sees the ids as they land, so a failure part-way still
 * reports what was delivered.
 */
export async function sendTelegramText(
  deps: TelegramOutboundDeps,
  target: TelegramTarget,
  text: string,
  o: { format: 'markdown' | 'plain'; replyTo?: string | undefined; onPosted(ids: string[]): void },
): Promise<void> {
  const chunks = prepareOutboundText(text, deps.capabilities, o.format);
  let replyTo = o.replyTo;
  for (const chunk of chunks) {
    if (chunk.rendered.trim() === '') continue;
    o.onPosted(await postChunk(deps, target, chunk, o.format !== 'plain', replyTo));
    replyTo = undefined;
  }
}
