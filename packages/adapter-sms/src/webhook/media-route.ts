import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardRest } from '@hermes/adapter-core';
import type { OutboundMediaStore } from '../outbound-media.js';
import { respondText } from './twiml.js';

const MEDIA_PATH = /^\/webhooks\/twilio\/media\/([0-9a-f]{32})\/[^/]+$/;

/** True when the path is a served-media URL. */
export function isMediaPath(path: string): boolean {
  return path.startsWith('/webhooks/twilio/media/');
}

/**
 * `GET|HEAD /webhooks/twilio/media/<token>/<name>`: the file an outbound MMS points at, for Twilio to
 * fetch. Unknown or expired tokens are 404, like any path that does not exist.
 */
export function serveOutboundMedia(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  store: OutboundMediaStore,
): void {
  discardRest(req);
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    respondText(res, 405, 'use GET', { allow: 'GET, HEAD' });
    return;
  }
  const token = MEDIA_PATH.exec(path)?.[1];
  const served = token === undefined ? undefined : store.lookup(token);
  if (served === undefined) {
    respondText(res, 404, 'no such media (unknown or expired link)');
    return;
  }
  const stream = createReadStream(served.path);
  stream.once('error', () => {
    if (!res.headersSent) respondText(res, 404, 'the media file is gone');
    else res.destroy();
  });
  stream.once('open', () => {
    res.writeHead(200, {
      'content-type': served.mime,
      'content-disposition': `inline; filename="${served.name.replace(/["\\]/g, '_')}"`,
      'cache-control': 'private, no-store',
    });
    if (method === 'HEAD') {
      stream.destroy();
      res.end();
      return;
    }
    stream.pipe(res);
  });
}
