import { secretsEqual } from '@hermes/adapter-core';
import { header, type VerifyInput, type VerifyResult } from './types.js';

/** GitLab sends the configured secret token as-is in `X-Gitlab-Token`; there is no body signature. */
export function verifyGitlab(input: VerifyInput): VerifyResult {
  const given = header(input.headers, 'x-gitlab-token');
  if (given === undefined) return { ok: false, reason: 'X-Gitlab-Token header missing' };
  return secretsEqual(given, input.secret) ? { ok: true } : { ok: false, reason: 'token mismatch' };
}
