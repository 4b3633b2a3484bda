import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  // The chat page (src/web/chat-page.html) is bundled into dist as a string: no file to find at run time.
  loader: { '.html': 'text' },
});
