import { type Capabilities, type MarkdownChunk, prepareOutboundText } from '@hermes/adapter-core';

/** Cloud API text body limit (`text.body`), in characters; counted in UTF-16 units to stay under it. */
export const WHATSAPP_TEXT_LIMIT = 4096;

/**
 * What WhatsApp supports. The conformance suite checks each flag against the methods that exist.
 *
 * `markdown: 'slack-mrkdwn'`: WhatsApp's markers are Slack's (*bold* _italic_ ~strike~ `code` ```pre```
 * and "> " quotes), so core renders and splits in that dialect and `toWhatsappText` only undoes the two
 * Slack-only parts (entities and <url|label> links). Both only shorten the text, so a chunk core measured
 * stays within the limit, and the host, which splits with these capabilities too, measures the same way.
 */
export const WHATSAPP_CAPABILITIES: Capabilities = {
  maxMessageLength: WHATSAPP_TEXT_LIMIT,
  lengthUnit: 'utf16',
  markdown: 'slack-mrkdwn',
  edit: false,
  delete: false,
  typing: true,
  reactions: true,
  threads: false,
  media: {
    send: ['image', 'audio', 'voice', 'video', 'file', 'sticker'],
    receive: ['image', 'audio', 'voice', 'video', 'file', 'sticker'],
    maxUploadBytes: 100 * 1024 * 1024,
  },
  buttons: true,
  // Meta's pair rate limit: about one message every 6 s to the same user (bursts allowed, then throttled).
  chatRateLimit: { messages: 10, perMs: 60_000 },
};

const SLACK_ONLY = /<([^<>|]*)\|([^<>]*)>|<([^<>]*)>|&(lt|gt|amp);/g;
const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&' };
const decodeEntities = (s: string) => s.replace(/&(lt|gt|amp);/g, (_m, name: string) => ENTITY[name] ?? _m);

/**
 * Slack mrkdwn → WhatsApp: `&lt; &gt; &amp;` back to characters (WhatsApp shows entities literally) and
 * `<url|label>` → `label (url)`, `<url>` → `url` (WhatsApp links bare URLs itself). One pass, so text
 * that merely looks like an entity after decoding is not decoded twice.
 */
export function toWhatsappText(mrkdwn: string): string {
  return mrkdwn.replace(SLACK_ONLY, (_m, url?: string, label?: string, bare?: string, entity?: string) => {
    if (entity !== undefined) return ENTITY[entity] ?? _m;
    if (bare !== undefined) return decodeEntities(bare).replace(/%7C/g, '|');
    const href = decodeEntities(url ?? '').replace(/%7C/g, '|');
    return `${decodeEntities(label ?? '')} (${href})`;
  });
}

/**
 * Standard Markdown in, chunks in WhatsApp's formatting out, each within `limit` UTF-16 units. Core parses
 * once, splits before rendering and never cuts inside a code fence.
 */
export function formatWhatsappText(
  text: string,
  format: 'markdown' | 'plain' = 'markdown',
  limit = WHATSAPP_TEXT_LIMIT,
): MarkdownChunk[] {
  const caps = { ...WHATSAPP_CAPABILITIES, maxMessageLength: limit };
  return prepareOutboundText(text, caps, format).map((chunk) =>
    format === 'plain' ? chunk : withRendered(chunk, toWhatsappText(chunk.rendered)),
  );
}

function withRendered(chunk: MarkdownChunk, rendered: string): MarkdownChunk {
  return { ...chunk, rendered, length: rendered.length };
}
