import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { header } from '../signatures/types.js';
import type { ConcreteScheme } from '../signatures/verify.js';
import { headerValue } from './event-info.js';

export interface ReplayKeyInput {
  /** How the request was authenticated; `none` for an INSECURE_NO_AUTH route. */
  scheme: ConcreteScheme | 'none';
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The delivery id the verified signature covers, when the scheme signs one. */
  signedId: string | undefined;
}

const digest = (...parts: Array<string | Buffer>): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('base64url');
};

// Delivery-id headers of the token schemes, which sign nothing: used only next to the body hash.
const TOKEN_SCHEME_ID_HEADERS = ['x-gitlab-event-uuid', 'x-request-id'];

/**
 * The redelivery keys of an authenticated request: it is a duplicate when any of them was seen. Only
 * what the authenticating scheme signs may decide it, otherwise adding or changing an unsigned header
 * (an `X-GitHub-Delivery` on a Standard Webhooks request) turns a captured request into a new event:
 * - Standard Webhooks: the signed `webhook-id` (`svix-id`);
 * - GitHub: the body (the signature covers the body only; `X-GitHub-Delivery` is not signed);
 * - generic v2: timestamp and body (`X-Request-Id` is not signed);
 * - GitLab token, Bearer, INSECURE_NO_AUTH: nothing is signed, so the body, plus the sender's delivery
 *   header as a second key (a redelivery that repeats it is caught even if the body changed).
 * Every key names the scheme, so one body authenticated two ways is two events.
 */
export function replayKeys(input: ReplayKeyInput): string[] {
  const { scheme, headers, body } = input;
  switch (scheme) {
    case 'standard-webhooks':
      return input.signedId === undefined
        ? [`${scheme}:body:${digest(body)}`]
        : [`${scheme}:id:${input.signedId}`];
    case 'github':
      return [`${scheme}:body:${digest(body)}`];
    case 'generic-v2':
      return [`${scheme}:ts-body:${digest(header(headers, 'x-webhook-timestamp') ?? '', '.', body)}`];
    case 'gitlab':
    case 'bearer':
    case 'none': {
      const keys = [`${scheme}:body:${digest(body)}`];
      for (const name of TOKEN_SCHEME_ID_HEADERS) {
        const id = headerValue(headers, name);
        if (id !== undefined) keys.push(`${scheme}:${name}:${digest(id)}`);
      }
      return keys;
    }
  }
}
