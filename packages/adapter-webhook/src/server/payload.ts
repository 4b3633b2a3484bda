import type { IncomingHttpHeaders } from 'node:http';
import { parseJsonBounded } from '@hermes/adapter-core';

export type PayloadResult = { ok: true; payload: unknown } | { ok: false; reason: string };

/**
 * JSON bodies, plus GitHub's form encoding (`payload=<json>`), which a hook set to
 * application/x-www-form-urlencoded sends. Nesting is bounded before parsing (64 levels) and the reason
 * for a refusal never quotes the body, since it is logged and returned.
 */
export function parsePayload(headers: IncomingHttpHeaders, body: Buffer): PayloadResult {
  const type = (headers['content-type'] ?? '').toLowerCase();
  let text = body.toString('utf8');
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const field = new URLSearchParams(text).get('payload');
    if (field === null) return { ok: false, reason: 'form body without a payload field' };
    text = field;
  }
  const parsed = parseJsonBounded(text);
  return parsed.ok ? { ok: true, payload: parsed.value } : { ok: false, reason: `body is ${parsed.message}` };
}
