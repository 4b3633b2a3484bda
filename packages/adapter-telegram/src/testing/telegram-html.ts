/** Tags the Bot API accepts with parse_mode HTML. */
const SUPPORTED_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'tg-emoji',
  'code',
  'pre',
  'blockquote',
]);

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"' };

export type TelegramHtmlCheck = { ok: true; text: string } | { ok: false; description: string };

function byteOffset(source: string, index: number): number {
  return Buffer.byteLength(source.slice(0, index), 'utf8');
}

function fail(description: string): TelegramHtmlCheck {
  return { ok: false, description: `Bad Request: can't parse entities: ${description}` };
}

/**
 * Parses text the way the Bot API parses `parse_mode: HTML`: only the supported tags, properly nested and
 * closed; `&lt; &gt; &amp; &quot;` and numeric entities decoded. Returns the visible text (whose UTF-16
 * length is what Telegram holds against its 4096 limit), or the error Telegram would answer with.
 */
export function checkTelegramHtml(source: string): TelegramHtmlCheck {
  const open: string[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '<') {
      const close = source.indexOf('>', i);
      if (close < 0) return fail(`Unclosed start tag at byte offset ${byteOffset(source, i)}`);
      const inner = source.slice(i + 1, close).trim();
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim().toLowerCase();
        const expected = open.pop();
        if (expected === undefined) return fail(`Unexpected end tag at byte offset ${byteOffset(source, i)}`);
        if (expected !== name) {
          return fail(
            `Unmatched end tag at byte offset ${byteOffset(source, i)}, expected "</${expected}>", found "</${name}>"`,
          );
        }
      } else {
        const name = (/^[a-zA-Z][a-zA-Z0-9-]*/.exec(inner)?.[0] ?? '').toLowerCase();
        if (!SUPPORTED_TAGS.has(name)) {
          return fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(source, i)}`);
        }
        open.push(name);
      }
      i = close + 1;
      continue;
    }
    if (ch === '&') {
      const entity = /^&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);/.exec(source.slice(i, i + 12));
      if (entity) {
        const body = entity[1]!;
        let decoded: string | undefined;
        if (body.startsWith('#x')) decoded = String.fromCodePoint(Number.parseInt(body.slice(2), 16));
        else if (body.startsWith('#')) decoded = String.fromCodePoint(Number(body.slice(1)));
        else decoded = NAMED_ENTITIES[body];
        if (decoded !== undefined) {
          text += decoded;
          i += entity[0].length;
          continue;
        }
      }
    }
    text += ch;
    i += 1;
  }
  const unclosed = open.pop();
  if (unclosed !== undefined) return fail(`Can't find end tag corresponding to start tag "${unclosed}"`);
  return { ok: true, text };
}
