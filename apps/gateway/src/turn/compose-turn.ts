import type { InboundMessage, Logger } from '@hermes/adapter-core';

export interface PendingInput {
  msg: InboundMessage;
  /** Inbound journal rows this input finishes when its turn is done. */
  journalIds: number[];
  /** Replaces msg.text (commands that run the agent: /retry, /new <text>, /queue <text>). */
  text?: string;
}

const KIND_WORDS: Record<string, string> = {
  image: 'an image',
  audio: 'an audio file',
  voice: 'a voice message',
  video: 'a video',
  file: 'a document',
  sticker: 'a sticker',
};

/**
 * Everything that arrived for one turn, as the user text the agent sees (spec 1.9 "enrich"): the texts in
 * order joined with newlines, a note with the cached path of each attachment, the quoted message when
 * replying, and `[sender]` prefixes where a session is shared by several people.
 */
export async function composeUserText(
  items: PendingInput[],
  options: { shared: boolean; logger: Logger },
): Promise<string> {
  const parts: string[] = [];
  for (const item of items) {
    const { msg } = item;
    const lines: string[] = [];
    if (msg.replyTo?.text) lines.push(`[Replying to: "${msg.replyTo.text.slice(0, 500)}"]`);
    for (const a of msg.attachments) {
      try {
        const path = await a.fetch();
        lines.push(
          `[The user sent ${KIND_WORDS[a.kind] ?? 'a file'}${a.name ? ` "${a.name}"` : ''}, saved at ${path}]`,
        );
      } catch (err) {
        options.logger.warn('attachment could not be fetched', {
          kind: a.kind,
          error: (err as Error).message,
        });
        lines.push(
          `[The user sent ${KIND_WORDS[a.kind] ?? 'a file'}, but it could not be downloaded: ${(err as Error).message}]`,
        );
      }
    }
    const text = item.text ?? msg.text;
    if (text) lines.push(options.shared ? `[${msg.sender.name ?? msg.sender.id}] ${text}` : text);
    if (lines.length) parts.push(lines.join('\n'));
  }
  return parts.join('\n');
}
