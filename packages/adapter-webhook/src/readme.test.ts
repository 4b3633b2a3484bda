import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample } from '@hermes/adapter-testkit';
import { afterEach, expect, it } from 'vitest';
import { githubSignatureHeaders } from './testing/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('the README example runs verbatim: a signed pull_request becomes the prompt and the answer is logged; unsigned is refused', async () => {
  const secret = randomBytes(16).toString('hex');
  const example = runReadmeExample({
    packageDir,
    code: readmeExample(join(packageDir, 'README.md'), /^## Example$/),
    env: { GH_HOOK_SECRET: secret, WEBHOOK_PORT: '0' },
  });
  cleanups.push(() => example.stop());
  const printed = await example.waitForOutput(
    /point GitHub at http:\/\/127\.0\.0\.1:\d+\/webhooks\/github/,
    15_000,
  );
  const url = /point GitHub at (\S+)/.exec(printed)?.[1] ?? '';

  const body = JSON.stringify({
    action: 'opened',
    pull_request: { number: 7, title: 'Fix the docs', user: { login: 'alice' } },
  });
  const post = (headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  const unsigned = await post({ 'x-github-event': 'pull_request' });
  expect(unsigned.status).toBe(401);
  const signed = await post(githubSignatureHeaders(secret, body, { event: 'pull_request', delivery: 'd-1' }));
  expect(signed.status).toBe(202);
  await example.waitForOutput(/prompt for the agent: Review PR #7 "Fix the docs" by alice/, 5_000);
  const out = await example.waitForOutput(/webhook reply \(deliver: log\).*Looks good/, 5_000);
  // The refused request never reached the bot: one prompt only.
  expect(out.match(/prompt for the agent/g)).toHaveLength(1);
});
