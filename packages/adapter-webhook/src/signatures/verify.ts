import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookScheme } from '../config.js';
import { verifyBearer } from './bearer.js';
import { verifyGenericV2 } from './generic-v2.js';
import { verifyGithub } from './github.js';
import { verifyGitlab } from './gitlab.js';
import { verifyStandardWebhooks } from './standard-webhooks.js';
import { header, type VerifyInput, type VerifyResult } from './types.js';

export type ConcreteScheme = Exclude<WebhookScheme, 'auto'>;

const VERIFIERS: Record<ConcreteScheme, (input: VerifyInput) => VerifyResult> = {
  github: verifyGithub,
  gitlab: verifyGitlab,
  'standard-webhooks': verifyStandardWebhooks,
  'generic-v2': verifyGenericV2,
  bearer: verifyBearer,
};

/** Which scheme a request claims, by the headers it carries (the original's order). */
export function detectScheme(headers: IncomingHttpHeaders): ConcreteScheme | undefined {
  if (header(headers, 'x-hub-signature-256')) return 'github';
  if (header(headers, 'webhook-signature') || header(headers, 'svix-signature')) return 'standard-webhooks';
  if (header(headers, 'x-webhook-signature-v2')) return 'generic-v2';
  if (header(headers, 'x-gitlab-token')) return 'gitlab';
  if (header(headers, 'authorization')) return 'bearer';
  return undefined;
}

export type SchemeVerdict =
  | { ok: true; scheme: ConcreteScheme; signedId?: string }
  | { ok: false; scheme?: ConcreteScheme; reason: string };

/** Verifies a request with the route's scheme, or with the one its headers name when the route says `auto`. */
export function verifyRequest(scheme: WebhookScheme, input: VerifyInput): SchemeVerdict {
  const chosen = scheme === 'auto' ? detectScheme(input.headers) : scheme;
  if (chosen === undefined) {
    return {
      ok: false,
      reason:
        'no signature header (X-Hub-Signature-256, webhook-signature, X-Webhook-Signature-V2, X-Gitlab-Token or Authorization)',
    };
  }
  const result = VERIFIERS[chosen](input);
  if (!result.ok) return { ok: false, scheme: chosen, reason: result.reason };
  return result.signedId === undefined
    ? { ok: true, scheme: chosen }
    : { ok: true, scheme: chosen, signedId: result.signedId };
}
