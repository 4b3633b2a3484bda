import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample } from '@hermes/adapter-testkit';
import { afterEach, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('the README bot runs verbatim against the fake homeserver and answers the DM in Matrix HTML', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hermes-matrix-readme-'));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  const example = runReadmeExample({
    packageDir,
    code: readmeExample(join(packageDir, 'README.md'), /runs as is/),
    env: { TMPDIR: scratch },
  });
  cleanups.push(() => example.stop());
  await example.waitForOutput(/\[ '<p>You said: <strong>hello<\/strong><\/p>' \]/, 20_000);
});
