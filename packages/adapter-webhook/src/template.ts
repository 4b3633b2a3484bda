export interface TemplateLimits {
  /** `{__raw__}`: the whole payload as JSON, cut to this many characters. */
  rawMaxChars: number;
  /** A placeholder that resolves to an object or array: its JSON, cut to this many characters. */
  nestedMaxChars: number;
}

const PLACEHOLDER = /\{([A-Za-z0-9_][A-Za-z0-9_.-]*)\}/g;

/** Cuts at a character boundary (never half a surrogate pair) and says how much was left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…[truncated, ${text.length - end} more characters]`;
}

/** Walks `a.b.0.c` through objects and arrays; undefined when any step is missing. */
export function lookupPath(payload: unknown, path: string): unknown {
  let current: unknown = payload;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(step)) return undefined;
      current = current[Number(step)];
    } else {
      if (!Object.hasOwn(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}

function stringify(value: unknown, limits: TemplateLimits): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (typeof value === 'object') return truncate(JSON.stringify(value, null, 2), limits.nestedMaxChars);
  return String(value);
}

/**
 * Fills `{dot.path}` placeholders from the payload and `{__raw__}` with the whole payload. A placeholder
 * that matches nothing is left as written, so a typo in a template shows in the prompt instead of
 * silently vanishing (and literal braces in prose survive).
 */
export function renderPrompt(template: string, payload: unknown, limits: TemplateLimits): string {
  return template.replace(PLACEHOLDER, (whole, path: string) => {
    if (path === '__raw__') return truncate(JSON.stringify(payload, null, 2) ?? 'null', limits.rawMaxChars);
    const value = lookupPath(payload, path);
    return value === undefined ? whole : stringify(value, limits);
  });
}

/** The prompt of a route without a template: what arrived, and the payload. */
export function defaultPromptTemplate(route: string, event: string | undefined): string {
  return `A webhook arrived on route "${route}"${event ? ` (event: ${event})` : ''}.\n\nPayload:\n{__raw__}`;
}
