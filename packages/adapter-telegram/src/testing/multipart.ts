/** One file part of a multipart/form-data body. */
export interface MultipartFile {
  field: string;
  filename: string;
  contentType?: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: MultipartFile[];
}

function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function headerValue(headers: string, name: string): string | undefined {
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}

function dispositionParam(disposition: string, param: string): string | undefined {
  const match = new RegExp(`${param}="([^"]*)"`, 'i').exec(disposition);
  return match?.[1];
}

/**
 * Parses multipart/form-data the way the Bot API receives uploads. Throws an Error naming the problem
 * when the body is not well-formed, so the fake can answer 400 like Telegram.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const out: MultipartBody = { fields: {}, files: [] };
  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error('multipart body does not contain its boundary');
  for (;;) {
    position += delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return out;
    position += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) throw new Error('multipart part without a header end');
    const headers = body.subarray(position, headerEnd).toString('utf8');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next < 0) throw new Error('multipart body is not closed');
    const data = body.subarray(headerEnd + 4, next - 2); // minus the CRLF before the delimiter
    const disposition = headerValue(headers, 'content-disposition') ?? '';
    const field = dispositionParam(disposition, 'name');
    if (field === undefined) throw new Error('multipart part without a field name');
    const filename = dispositionParam(disposition, 'filename');
    if (filename === undefined) {
      out.fields[field] = data.toString('utf8');
    } else {
      const file: MultipartFile = { field, filename, data: Buffer.from(data) };
      const type = headerValue(headers, 'content-type');
      if (type) file.contentType = type;
      out.files.push(file);
    }
    position = next;
  }
}
