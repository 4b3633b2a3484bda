import type { MarkdownChunk } from '@hermes/adapter-core';

export type MatrixContent = Record<string, unknown>;

/** Where a message goes inside its room: a thread, and/or a reply to one event. */
export interface MatrixPlacement {
  threadId?: string;
  replyTo?: string;
}

/** `m.relates_to` for a thread message or a reply (a thread reply without a target falls back to the root). */
export function relationFor(p: MatrixPlacement): MatrixContent | undefined {
  if (p.threadId !== undefined) {
    return {
      rel_type: 'm.thread',
      event_id: p.threadId,
      is_falling_back: p.replyTo === undefined,
      'm.in_reply_to': { event_id: p.replyTo ?? p.threadId },
    };
  }
  if (p.replyTo !== undefined) return { 'm.in_reply_to': { event_id: p.replyTo } };
  return undefined;
}

/** The body fields of one text chunk: HTML in formatted_body, its Markdown source as the plain body. */
export function textBody(chunk: MarkdownChunk, format: 'markdown' | 'plain'): MatrixContent {
  if (format === 'plain') return { msgtype: 'm.text', body: chunk.rendered };
  return {
    msgtype: 'm.text',
    body: chunk.markdown,
    format: 'org.matrix.custom.html',
    formatted_body: chunk.rendered,
  };
}

export function textContent(
  chunk: MarkdownChunk,
  format: 'markdown' | 'plain',
  p: MatrixPlacement,
): MatrixContent {
  const relation = relationFor(p);
  // m.mentions present and empty: the bot's answer never pings anyone by accident.
  return { ...textBody(chunk, format), 'm.mentions': {}, ...(relation ? { 'm.relates_to': relation } : {}) };
}

/** An edit (m.replace): the fallback body for old clients plus m.new_content for current ones. */
export function editContent(targetId: string, body: MatrixContent): MatrixContent {
  const fallback: MatrixContent = { ...body, body: `* ${String(body['body'])}` };
  if (typeof body['formatted_body'] === 'string') fallback['formatted_body'] = `* ${body['formatted_body']}`;
  return {
    ...fallback,
    'm.new_content': { ...body, 'm.mentions': {} },
    'm.mentions': {},
    'm.relates_to': { rel_type: 'm.replace', event_id: targetId },
  };
}

export function reactionContent(targetId: string, key: string): MatrixContent {
  return { 'm.relates_to': { rel_type: 'm.annotation', event_id: targetId, key } };
}
