import type { IncomingHttpHeaders } from 'node:http';

export type PayloadResult = { ok: true; payload: unknown } | { ok: false; reason: string };

/**
 * JSON bodies, plus GitHub's form encoding (`payload=<json>`), which a hook set to
 * application/x-www-form-urlencoded sends.
 */
export function parsePayload(headers: IncomingHttpHeaders, body: Buffer): PayloadResult {
  const type = (headers['content-type'] ?? '').toLowerCase();
  let text = body.toString('utf8');
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const field = new URLSearchParams(text).get('payload');
    if (field === null) return { ok: false, reason: 'form body without a payload field' };
    text = field;
  }
  try {
    return { ok: true, payload: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      reason: `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
