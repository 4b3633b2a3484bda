/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** The boundary of a `multipart/form-data; boundary=...` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  const match = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

/**
 * Splits a multipart/form-data body into parts (binary-safe). Throws an Error naming the problem when
 * the body does not follow the boundary format, so the fake can answer 400 like Discord.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error('multipart body without its boundary');
  while (true) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') return parts;
    if (body.subarray(position, position + 2).toString() === '\r\n') position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) throw new Error('multipart part without a header end');
    const headers = body.subarray(position, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next < 0) throw new Error('multipart body not closed by its boundary');
    // The part's data ends with CRLF before the next delimiter.
    const data = body.subarray(headerEnd + 4, next - 2);
    parts.push(partOf(headers, Buffer.from(data)));
    position = next;
  }
}

function partOf(headers: string[], data: Buffer): MultipartPart {
  let name = '';
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of headers) {
    const [key, ...rest] = line.split(':');
    const value = rest.join(':').trim();
    if (key?.toLowerCase() === 'content-disposition') {
      name = /\bname="([^"]*)"/i.exec(value)?.[1] ?? '';
      const star = /\bfilename\*=UTF-8''([^;]+)/i.exec(value)?.[1];
      const plain = /\bfilename="([^"]*)"/i.exec(value)?.[1];
      if (star !== undefined) filename = decodeURIComponent(star);
      else if (plain !== undefined) filename = plain;
    } else if (key?.toLowerCase() === 'content-type') {
      contentType = value;
    }
  }
  const part: MultipartPart = { name, data };
  if (filename !== undefined) part.filename = filename;
  if (contentType !== undefined) part.contentType = contentType;
  return part;
}
