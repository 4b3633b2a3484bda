import type { ServerResponse } from 'node:http';

/** The empty answer: Twilio sends nothing back itself, the reply goes out later through the REST API. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const EMPTY_TWIML_BYTES = Buffer.from(EMPTY_TWIML);

export function respondEmptyTwiml(res: ServerResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/xml; charset=utf-8',
    'content-length': String(EMPTY_TWIML_BYTES.length),
  });
  res.end(EMPTY_TWIML_BYTES);
}

/** A refusal in plain text: Twilio's debugger shows the body, so it names the problem and the fix. */
export function respondText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(body.length),
  });
  res.end(body);
}
