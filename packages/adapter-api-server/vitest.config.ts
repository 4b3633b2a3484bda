import { readFile } from 'node:fs/promises';
import { defineConfig, type Plugin } from 'vitest/config';

/** Imports of .html files become their text, as tsup's text loader does in the build. */
const htmlAsText: Plugin = {
  name: 'hermes-html-as-text',
  enforce: 'pre',
  async load(id) {
    const file = id.split('?')[0] ?? id;
    if (!file.endsWith('.html')) return null;
    return `export default ${JSON.stringify(await readFile(file, 'utf8'))};`;
  },
};

export default defineConfig({
  plugins: [htmlAsText],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
