import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardRest, requestPath } from '@hermes/adapter-core';
import { SMS_WEBHOOK_PATH } from '../config.js';
import type { OutboundMediaStore } from '../outbound-media.js';
import { handleTwilioPost, type SmsPostDeps } from './handle-post.js';
import { isMediaPath, serveOutboundMedia } from './media-route.js';
import { respondText } from './twiml.js';

export interface SmsRouterDeps extends SmsPostDeps {
  media: OutboundMediaStore;
}

const STATUS_PATH = `${SMS_WEBHOOK_PATH}/status`;

export async function routeSmsRequest(req: IncomingMessage, res: ServerResponse, deps: SmsRouterDeps) {
  const method = req.method ?? 'GET';
  const path = requestPath(req);
  if (path === undefined) {
    discardRest(req);
    return respondText(res, 400, `the request target is not a path; Twilio posts to ${SMS_WEBHOOK_PATH}`);
  }
  if (path === '/health') {
    discardRest(req);
    const body = JSON.stringify({ status: 'ok', platform: 'sms' });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
    return;
  }
  if (isMediaPath(path)) return serveOutboundMedia(req, res, path, deps.media);
  const normalized = path.replace(/\/$/, '');
  const kind =
    normalized === SMS_WEBHOOK_PATH ? 'message' : normalized === STATUS_PATH ? 'status' : undefined;
  if (kind === undefined) {
    discardRest(req);
    return respondText(res, 404, `no such path; Twilio posts to ${SMS_WEBHOOK_PATH}`);
  }
  if (method !== 'POST') {
    discardRest(req);
    return respondText(res, 405, 'use POST', { allow: 'POST' });
  }
  return handleTwilioPost(req, res, path, kind, deps);
}
