import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built =
  existsSync(join(root, 'dist', 'index.js')) && existsSync(join(root, 'dist', 'testing', 'index.js'));

// Runs the README's bot verbatim with plain Node against the built package, as a reader would: this is
// also what caught `import { Client4 } from '@mattermost/client'` failing under Node ESM.
describe.skipIf(!built)(
  `README example${built ? '' : ' (skipped: dist/ is missing, run the build first)'}`,
  () => {
    it('runs verbatim against the fake and prints both answers', async () => {
      const readme = await readFile(join(root, 'README.md'), 'utf8');
      const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
      expect(code, 'the README has a ```js example').toBeTruthy();
      const file = join(root, `.readme-example-${process.pid}.mjs`);
      await writeFile(file, code!);
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [file], {
          cwd: root,
          timeout: 20_000,
        });
        const lines = stdout.split('\n').filter((line) => line.includes('You said'));
        expect(lines[0]).toBe('dm-alice - You said **hello**');
        expect(lines[1]).toMatch(/^group-1 [a-z0-9]{26} You said \*\*what time is it\?\*\*$/);
      } finally {
        await rm(file, { force: true });
      }
    });
  },
);
