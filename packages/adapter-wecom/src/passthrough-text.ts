/**
 * What core's splitter would change in a text that already fits one message, for a platform whose
 * Markdown it passes through unchanged: line endings other than `\n`, leading or trailing blank space,
 * tabs and other unusual white space or control characters (list items around them are re-broken),
 * fences (an unclosed one gets closed), indented lines (code blocks, list continuations) and lines
 * starting with `[` (a link definition alone is dropped).
 */
const SPLITTER_WOULD_CHANGE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
  /[^\S \n]|[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\ufeff]|```|~~~|^[ \n[]|\n[ []|[ \n]$/u;

/**
 * True when `prepareOutboundText(text, caps)` for WeCom's pass-through Markdown would return exactly
 * `[text]`, so the reply can skip parsing. Parsing a one-line reply cost more than everything else the
 * adapter does for it; texts this check is unsure about still go through the splitter.
 * `limit` is in characters, and a text's UTF-16 length is never below its character count.
 */
export function passesThroughUnchanged(text: string, limit: number): boolean {
  return text.length > 0 && text.length <= limit && !SPLITTER_WOULD_CHANGE.test(text);
}
