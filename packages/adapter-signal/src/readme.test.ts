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

// The README's bot, run verbatim with plain Node against the built package, as a reader would run it.
describe.skipIf(!built)(
  `README example${built ? '' : ' (skipped: dist/ is missing, run the build first)'}`,
  () => {
    it('runs verbatim against the fake daemon and prints the styled, quoted answer', async () => {
      const readme = await readFile(join(root, 'README.md'), 'utf8');
      const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
      expect(code, 'the README has a ```js example').toBeTruthy();
      expect(code!.trim().split('\n').length, 'the example stays within 15 lines').toBeLessThanOrEqual(15);
      const file = join(root, `.readme-example-${process.pid}.mjs`);
      await writeFile(file, code!);
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [file], {
          cwd: root,
          timeout: 20_000,
        });
        expect(stdout.trim()).toBe('+15557654321 You said hello 9:5:BOLD true');
      } finally {
        await rm(file, { force: true });
      }
    });
  },
);
