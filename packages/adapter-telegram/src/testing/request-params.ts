import type { IncomingMessage } from 'node:http';
import { parseMultipart } from './multipart.js';

export interface ParsedParams {
  params: Record<string, unknown>;
  files: Array<{ field: string; filename: string; data: Buffer }>;
}

/** Fields that hold objects or arrays: sent as JSON strings in form bodies, decoded like Telegram does. */
const JSON_FIELDS = new Set([
  'reply_parameters',
  'reply_markup',
  'allowed_updates',
  'commands',
  'reaction',
  'link_preview_options',
  'media',
  'entities',
  'caption_entities',
]);

/** Form values are strings; booleans come as "true"/"false". */
function decodeFormValue(key: string, value: string): unknown {
  if (JSON_FIELDS.has(key)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Reads the whole body, up to `limit` bytes. */
export function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The parameters of a Bot API call from the query string and a JSON, urlencoded or multipart body: the
 * four ways Telegram accepts them. Throws an Error naming the problem for a body that cannot be parsed.
 */
export function parseParams(query: URLSearchParams, contentType: string, body: Buffer): ParsedParams {
  const params: Record<string, unknown> = {};
  for (const [k, v] of query) params[k] = decodeFormValue(k, v);
  const files: ParsedParams['files'] = [];
  const type = contentType.toLowerCase();
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('JSON body must be an object');
    Object.assign(params, parsed);
  } else if (type.startsWith('multipart/form-data')) {
    const form = parseMultipart(body, contentType);
    for (const [k, v] of Object.entries(form.fields)) params[k] = decodeFormValue(k, v);
    for (const f of form.files) files.push({ field: f.field, filename: f.filename, data: f.data });
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = decodeFormValue(k, v);
  } else {
    throw new Error(`unsupported content-type "${contentType}"`);
  }
  return { params, files };
}
