import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  // The conformance suite registers its tests in the caller's vitest; bundling a second copy would break that.
  external: ['vitest', 'ws', '@hermes/adapter-core'],
});
