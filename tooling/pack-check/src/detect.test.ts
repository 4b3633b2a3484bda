import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importSpecifiers, missingExports, referencedFiles, requiredExports } from './exports.mjs';
import { escapedResolutions, foreignWorkspaceCopies, localSpecifiers } from './leaks.mjs';
import { npmEnvironment } from './run.mjs';
import { declarationImportProblems } from './types.mjs';
import { type WorkspacePackage, workspaceClosure } from './workspace.mjs';

// The detectors on hand-built folders: each must catch its problem and stay quiet on a clean package,
// or the end-to-end run could pass by checking nothing.

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hermes-pack-check-unit-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function writeJson(file: string, value: unknown) {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
}

describe('localSpecifiers', () => {
  it('flags workspace:, link: and file: in every dependency field', () => {
    const manifest = {
      dependencies: { a: 'workspace:*', b: '^1.0.0' },
      peerDependencies: { c: 'link:../c' },
      devDependencies: { d: 'file:../d', e: '2.0.0' },
    };
    expect(localSpecifiers(manifest)).toEqual([
      'dependencies.a is "workspace:*"',
      'peerDependencies.c is "link:../c"',
      'devDependencies.d is "file:../d"',
    ]);
    expect(localSpecifiers({ dependencies: { zod: '^4.6.7' } })).toEqual([]);
  });
});

describe('escapedResolutions', () => {
  it('reports a dependency that is a symlink back into the workspace, and accepts installed copies', () => {
    const workspace = join(tmp, 'workspace');
    const consumer = join(tmp, 'consumer');
    writeJson(join(workspace, 'packages/core/package.json'), { name: '@x/core' });
    writeJson(join(consumer, 'node_modules/zod/package.json'), { name: 'zod' });
    writeJson(join(consumer, 'node_modules/@x/adapter/node_modules/nested/package.json'), { name: 'nested' });
    mkdirSync(join(consumer, 'node_modules/@x'), { recursive: true });
    symlinkSync(join(workspace, 'packages/core'), join(consumer, 'node_modules/@x/core'), 'dir');
    const problems = escapedResolutions(consumer, workspace);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/node_modules\/@x\/core resolves into the workspace/);
  });
});

describe('foreignWorkspaceCopies', () => {
  it('accepts workspace packages taken from our tarballs and flags registry copies and links', () => {
    const packDir = join(tmp, 'pack');
    const consumer = join(tmp, 'consumer');
    mkdirSync(packDir);
    writeJson(join(consumer, 'package-lock.json'), {
      packages: {
        '': {},
        'node_modules/@x/core': { resolved: 'file:../pack/x-core-0.1.0.tgz' },
        'node_modules/@x/testkit': { version: '0.1.0' },
        'node_modules/@x/adapter/node_modules/@x/other': { link: true },
        'node_modules/zod': { version: '4.6.7' },
      },
    });
    const problems = foreignWorkspaceCopies(
      consumer,
      new Set(['@x/core', '@x/testkit', '@x/other']),
      packDir,
    );
    expect(problems).toEqual([
      'node_modules/@x/testkit came from the registry, not from the packed tarball (a second copy of a workspace package)',
      'node_modules/@x/adapter/node_modules/@x/other is a link, not an installed copy',
    ]);
  });
});

describe('declarationImportProblems', () => {
  it('flags type imports of packages the manifest does not declare, ignoring comments and builtins', () => {
    const pkg = join(tmp, 'node_modules/@x/adapter');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeJson(join(tmp, 'node_modules/ws/package.json'), { name: 'ws' });
    writeFileSync(
      join(pkg, 'dist/index.d.ts'),
      [
        "import { WebSocket } from 'ws';",
        "import type { Server } from 'node:http';",
        "import { EventEmitter } from 'events';",
        "import type { Thing } from '@x/tsconfig-only';",
        '/** Example: import { x } from "not-a-dep" */',
        "export declare const ref: typeof import('./other.js');",
      ].join('\n'),
    );
    const manifest = { name: '@x/adapter', dependencies: { ws: '^8' } };
    expect(declarationImportProblems(pkg, manifest, tmp)).toEqual([
      "@x/adapter's types (dist/index.d.ts) import '@x/tsconfig-only', which is not a dependency or peer dependency: consumers cannot resolve it",
    ]);
  });
});

describe('exports helpers', () => {
  const manifest = {
    main: './dist/index.cjs',
    types: './dist/index.d.ts',
    exports: {
      '.': {
        import: { types: './dist/index.d.ts', default: './dist/index.js' },
        require: './dist/index.cjs',
      },
      './testing': { import: './dist/testing/index.js', require: './dist/testing/index.cjs' },
      './features/*': './dist/features/*.js',
      './package.json': './package.json',
    },
  };

  it('lists one import specifier per named subpath', () => {
    expect(importSpecifiers('@x/a', manifest)).toEqual(['@x/a', '@x/a/testing']);
    expect(importSpecifiers('@x/a', { exports: './dist/index.js' })).toEqual(['@x/a']);
    expect(importSpecifiers('@x/a', { exports: { import: './a.js', require: './a.cjs' } })).toEqual(['@x/a']);
    expect(importSpecifiers('@x/a', { bin: './cli.js' })).toEqual([]);
  });

  it('lists every file the manifest points at', () => {
    expect(referencedFiles(manifest)).toEqual([
      './dist/index.cjs',
      './dist/index.d.ts',
      './dist/index.js',
      './dist/testing/index.cjs',
      './dist/testing/index.js',
      './package.json',
    ]);
  });

  it('asks adapters for a create<Platform>Adapter factory', () => {
    expect(
      missingExports(['createWecomAdapter', 'WecomAdapter'], requiredExports('@hermes/adapter-wecom', 'cjs')),
    ).toEqual([]);
    expect(missingExports(['WecomAdapter'], requiredExports('@hermes/adapter-wecom', 'esm'))).toEqual([
      'a name matching /^create[A-Z][A-Za-z0-9]*Adapter$/',
    ]);
    expect(requiredExports('@hermes/adapter-wecom/testing', 'esm')).toEqual([]);
    expect(requiredExports('@hermes/adapter-testkit', 'cjs')).toEqual(['startFakeServer']);
  });
});

describe('workspaceClosure', () => {
  const make = (name: string, manifest: Record<string, unknown>, isPrivate = false): WorkspacePackage => ({
    name,
    version: '0.1.0',
    dir: `/ws/${name}`,
    private: isPrivate,
    manifest: { name, ...manifest },
  });

  it('follows dependencies and peers transitively and refuses private ones', () => {
    const core = make('@x/core', {});
    const testkit = make('@x/testkit', { peerDependencies: { '@x/core': '^0.1.0' } });
    const adapter = make('@x/adapter', {
      peerDependencies: { '@x/core': '^0.1.0', '@x/testkit': '^0.1.0' },
      dependencies: { '@x/secret': 'workspace:*', zod: '^4' },
      devDependencies: { '@x/tsconfig': 'workspace:*' },
    });
    const secret = make('@x/secret', {}, true);
    const tsconfig = make('@x/tsconfig', {}, true);
    const byName = new Map([core, testkit, adapter, secret, tsconfig].map((p) => [p.name, p]));
    const { closure, problems } = workspaceClosure(adapter, byName);
    expect(closure.map((p) => p.name)).toEqual(['@x/adapter', '@x/core', '@x/testkit']);
    expect(problems).toEqual([
      '@x/adapter lists the private workspace package @x/secret in dependencies; it is never published, so npm cannot install it',
    ]);
  });
});

describe('npmEnvironment', () => {
  it("drops pnpm's script variables and keeps registry and proxy settings", () => {
    const env = npmEnvironment({
      PATH: '/bin',
      npm_config_user_agent: 'pnpm/10',
      npm_config_verify_deps_before_run: 'false',
      npm_config_registry: 'https://registry.example/',
      npm_config_https_proxy: 'http://proxy:3128',
      npm_package_name: '@hermes/pack-check',
      npm_lifecycle_event: 'test',
      PNPM_SCRIPT_SRC_DIR: '/work',
      INIT_CWD: '/work',
    });
    expect(env).toEqual({
      PATH: '/bin',
      npm_config_registry: 'https://registry.example/',
      npm_config_https_proxy: 'http://proxy:3128',
    });
  });
});
