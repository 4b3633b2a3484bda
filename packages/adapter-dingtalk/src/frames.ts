import type { DWClientDownStream } from 'dingtalk-stream';

export type DingtalkFrameParse = { ok: true; frame: DWClientDownStream } | { ok: false; problem: string };

const TYPES = new Set(['SYSTEM', 'EVENT', 'CALLBACK']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a Stream Mode downstream frame (`{specVersion, type, headers: {topic, messageId, …}, data}`) before
 * the SDK sees it: the SDK reads these fields without checks and would throw on a frame that lacks them.
 */
export function parseDingtalkStreamFrame(text: string): DingtalkFrameParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: `frame is not JSON (${text.length} bytes)` };
  }
  if (!isRecord(value)) return { ok: false, problem: 'frame is not a JSON object' };
  const { type, headers, data } = value;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    return { ok: false, problem: `frame type ${JSON.stringify(type)} is not SYSTEM, EVENT or CALLBACK` };
  }
  if (!isRecord(headers) || typeof headers['topic'] !== 'string') {
    return { ok: false, problem: `${type} frame has no headers.topic` };
  }
  if (type !== 'SYSTEM' && (typeof headers['messageId'] !== 'string' || headers['messageId'] === '')) {
    return { ok: false, problem: `${type} frame has no headers.messageId, so it cannot be acknowledged` };
  }
  if (type === 'CALLBACK' && typeof data !== 'string') {
    return { ok: false, problem: 'CALLBACK frame has no data string' };
  }
  return { ok: true, frame: value as unknown as DWClientDownStream };
}
