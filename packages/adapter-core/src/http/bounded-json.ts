/** Nesting deeper than this is refused before parsing: no real payload needs it. */
export const DEFAULT_JSON_MAX_DEPTH = 64;

export type BoundedJsonResult =
  | { ok: true; value: unknown }
  | { ok: false; code: 'too_deep' | 'invalid_json'; message: string };

/**
 * True when arrays/objects nest deeper than `maxDepth`. One linear pass over the text that skips string
 * contents, so it costs what reading the body cost, whatever the nesting.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * `JSON.parse` for untrusted bodies. Deep nesting is refused up front: V8 parses it, but everything
 * that walks the value afterwards (`JSON.stringify`, templates, loggers) recurses and overflows the
 * stack. The message never quotes the input (V8's own does), so it is safe to log and to answer with.
 */
export function parseJsonBounded(text: string, maxDepth = DEFAULT_JSON_MAX_DEPTH): BoundedJsonResult {
  if (jsonDepthExceeds(text, maxDepth)) {
    return {
      ok: false,
      code: 'too_deep',
      message: `nested deeper than ${maxDepth} levels (flatten the payload)`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    return {
      ok: false,
      code: 'invalid_json',
      message: `not valid JSON${position === undefined ? '' : ` (at position ${position})`}`,
    };
  }
}
