import type { IncomingMessage } from 'node:http';

/** A Web API request body, whatever encoding the client chose (Slack accepts form, JSON and multipart). */
export interface ParsedBody {
  params: Record<string, unknown>;
  /** Files of a multipart body, by field name. */
  files: Map<string, { name: string; bytes: Buffer }>;
  raw: Buffer;
}

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) throw new Error(`request body over ${limitBytes} bytes`);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

/** Form values that hold JSON (Slack's clients send arrays and objects that way) stay strings, as Slack sees them. */
export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  const files = new Map<string, { name: string; bytes: Buffer }>();
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    const params = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    return { params, files, raw };
  }
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': contentType! },
    }).formData();
    const params: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') params[key] = value;
      else files.set(key, { name: value.name, bytes: Buffer.from(await value.arrayBuffer()) });
    }
    return { params, files, raw };
  }
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) params[key] = value;
  return { params, files, raw };
}
