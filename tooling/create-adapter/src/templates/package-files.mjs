// @ts-check
/** package.json, tsconfig.json, tsup and vitest configs of a generated adapter: the adapter-core layout. */

/** @typedef {import('../names.mjs').PlatformNames} PlatformNames */
/** @typedef {import('../workspace.mjs').ScaffoldVersions} ScaffoldVersions */

/**
 * @param {string} entry
 */
function exportEntry(entry) {
  return {
    import: { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` },
    require: { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` },
  };
}

/**
 * @param {PlatformNames} n
 * @param {ScaffoldVersions} v
 * @returns {string}
 */
export function packageJson(n, v) {
  const pkg = {
    name: n.packageName,
    version: '0.1.0',
    description: `${n.label} adapter for Hermes (scaffold: transport, inbound and outbound mapping still to be written).`,
    license: 'MIT',
    ...(v.repositoryUrl
      ? { repository: { type: 'git', url: v.repositoryUrl, directory: `packages/${n.folderName}` } }
      : {}),
    // `pnpm release` checks these: public scoped packages, published with npm provenance.
    publishConfig: { access: 'public', provenance: true },
    type: 'module',
    sideEffects: false,
    engines: { node: v.nodeEngine },
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.ts',
    exports: {
      '.': exportEntry('index'),
      './testing': exportEntry('testing/index'),
      './package.json': './package.json',
    },
    files: ['dist', 'README.md'],
    scripts: {
      build: 'tsup',
      typecheck: 'tsc -p tsconfig.json',
      test: 'vitest run',
    },
    dependencies: {
      zod: v.zod,
    },
    peerDependencies: {
      '@hermes/adapter-core': v.corePeerRange,
      '@hermes/adapter-testkit': v.testkitPeerRange,
    },
    // Only the `/testing` subpath (the fake server) needs the testkit; a bot that never imports it does not.
    peerDependenciesMeta: {
      '@hermes/adapter-testkit': { optional: true },
    },
    devDependencies: {
      '@hermes/adapter-core': 'workspace:*',
      '@hermes/adapter-testkit': 'workspace:*',
      '@hermes/tsconfig': 'workspace:*',
      '@types/node': v.typesNode,
      tsup: v.tsup,
      typescript: v.typescript,
      vitest: v.vitest,
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** @returns {string} */
export function tsconfigJson() {
  const config = {
    extends: '@hermes/tsconfig/library.json',
    include: ['src', 'test', 'bench', '*.config.ts'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** @returns {string} */
export function tsupConfig() {
  return `import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
});
`;
}

/** @returns {string} */
export function vitestConfig() {
  return `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
`;
}
