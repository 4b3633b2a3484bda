import { defineConfig, type Options } from 'tsup';

// The configs build in parallel, so neither cleans dist (it would race the other): the build script does.
const shared: Options = {
  dts: true,
  sourcemap: true,
  target: 'node22',
  // The suite registers its tests in the caller's vitest; bundling a second copy would break that.
  external: ['vitest', 'ws', '@hermes/adapter-core'],
};

export default defineConfig([
  // ESM: the toolkit and the conformance suite.
  { ...shared, entry: { index: 'src/index.ts' }, format: ['esm'] },
  // CommonJS: the toolkit only, because vitest throws when it is require()d.
  { ...shared, entry: { index: 'src/toolkit.ts' }, format: ['cjs'] },
  // The benchmark helpers, loadable under plain node (no vitest), from ESM and CommonJS.
  { ...shared, entry: { bench: 'src/bench/index.ts' }, format: ['esm', 'cjs'] },
]);
