import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DedupeCache,
  discardRest,
  type InboundMessage,
  type Logger,
  readBody,
  type TokenBucket,
} from '@hermes/adapter-core';
import type { SmsConfig } from '../config.js';
import type { SmsInbound } from '../inbound.js';
import { parseTwilioForm, type TwilioParams } from '../twilio-params.js';
import type { DeliveryStatusBook } from './delivery-status.js';
import { signedUrlFor } from './public-url.js';
import { verifyTwilioSignature } from './signature.js';
import { respondEmptyTwiml, respondText } from './twiml.js';

export interface SmsPostDeps {
  config: SmsConfig;
  logger: Logger;
  /** MessageSids already handed to the host: Twilio's retries of them are answered and dropped. */
  seen: DedupeCache;
  /** Budget of warn lines for refused requests, so a flood of junk cannot fill the log. */
  refusalLog: TokenBucket;
  mapInbound(params: TwilioParams): SmsInbound;
  /** Hands a message to the host; throwing means it was not accepted (Twilio gets a 500 and retries). */
  dispatch(message: InboundMessage): void;
  statuses: DeliveryStatusBook;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * `POST /webhooks/twilio` (a message comes in) and `POST /webhooks/twilio/status` (delivery updates), in
 * the order that keeps cheap refusals first: content type, size and time (413/408), signature (403),
 * then the fields (400). A message is handed to the host before the empty TwiML goes back, so a
 * connection cut before the answer makes Twilio retry and the retry is deduped by MessageSid: nothing is
 * lost and nothing arrives twice. No body is ever logged.
 */
export async function handleTwilioPost(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  kind: 'message' | 'status',
  deps: SmsPostDeps,
): Promise<void> {
  const { config } = deps;
  const client = req.socket.remoteAddress ?? 'unknown';
  const refuse = (status: number, problem: string, logged: string = problem) => {
    if (deps.refusalLog.tryTake())
      deps.logger.warn('Twilio webhook refused', { status, problem: logged, client, path });
    else deps.logger.debug('Twilio webhook refused (over the log budget)', { status, client });
    discardRest(req);
    respondText(res, status, problem);
  };

  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FORM_TYPE) {
    return refuse(415, `Twilio webhooks are ${FORM_TYPE}; got "${type.slice(0, 60) || 'no content type'}"`);
  }
  const body = await readBody(req, config.maxBodyBytes, config.bodyTimeoutMs);
  // The sender went away mid-body: nothing was accepted, so its retry loses nothing.
  if (body.kind === 'aborted') return;
  if (body.kind === 'timeout') {
    return refuse(408, `the request body did not arrive within ${config.bodyTimeoutMs} ms`);
  }
  if (body.kind === 'too_large') {
    return refuse(413, `the body is larger than ${body.limit} bytes (Twilio webhooks are a few KB)`);
  }
  const params = parseTwilioForm(body.body.toString('utf8'));
  const url = signedUrlFor(req, path, { webhookUrl: config.webhookUrl, trustProxy: config.trustProxy });
  const verdict = verifyTwilioSignature(req.headers, url, params, config.authToken);
  if (!verdict.ok) {
    // The sender learns only that the signature is wrong; the reason (and the URL checked) is for the operator.
    return refuse(
      403,
      'invalid X-Twilio-Signature: the request is not from Twilio, or SMS_WEBHOOK_URL differs from the URL Twilio posts to',
      verdict.reason,
    );
  }

  if (kind === 'status' || isStatusCallback(params)) {
    const update = deps.statuses.record(params);
    if (!update.ok) return refuse(400, update.problem);
    const { status } = update;
    if (status.status === 'failed' || status.status === 'undelivered') {
      deps.logger.warn('SMS not delivered', {
        messageSid: status.messageSid,
        status: status.status,
        errorCode: status.errorCode,
      });
    } else {
      deps.logger.debug('SMS delivery status', { messageSid: status.messageSid, status: status.status });
    }
    return respondEmptyTwiml(res);
  }

  const mapped = deps.mapInbound(params);
  if (mapped.kind === 'malformed') return refuse(400, mapped.problem);
  if (mapped.kind === 'ignored') {
    deps.logger.debug('Twilio message ignored', { reason: mapped.reason });
    return respondEmptyTwiml(res);
  }
  const message = mapped.message;
  // No await between this check and mark(): two concurrent retries of one message cannot both pass.
  if (deps.seen.has(message.id)) {
    deps.logger.info('Twilio retry of a message already handled', { messageSid: message.id });
    return respondEmptyTwiml(res);
  }
  try {
    deps.dispatch(message);
  } catch (error) {
    deps.logger.error('the host did not accept the SMS', {
      messageSid: message.id,
      error: error instanceof Error ? error.message : String(error),
    });
    // Not marked as seen: Twilio's retry gets another chance.
    return respondText(res, 500, 'the gateway could not accept the message; retry later');
  }
  deps.seen.mark(message.id);
  return respondEmptyTwiml(res);
}

/** A delivery update posted to the message URL (a StatusCallback pointed there): it has a status and no Body. */
function isStatusCallback(params: TwilioParams): boolean {
  const status = params['MessageStatus'];
  return typeof status === 'string' && status !== 'received' && params['Body'] === undefined;
}
