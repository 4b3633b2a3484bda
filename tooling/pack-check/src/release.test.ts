import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { changesetReleases, releaseProblems, repositoryAgreement } from './release-checks.mjs';
import { startRegistrySentinel } from './release-publish.mjs';
import { npmEnvironment } from './run.mjs';
import { findWorkspaceRoot } from './workspace.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const releaseScript = join(here, 'release.mjs');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const REPO = 'git+https://github.com/example/hermes.git';
const goodManifest = (): Record<string, unknown> => ({
  name: '@hermes/fixture-good',
  version: '1.2.3',
  license: 'MIT',
  repository: { type: 'git', url: REPO, directory: 'packages/good' },
  publishConfig: { access: 'public', provenance: true },
  engines: { node: '>=22.19' },
  files: ['dist', 'README.md'],
  exports: {
    '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    './package.json': './package.json',
  },
});
const goodFiles = ['LICENSE', 'README.md', 'dist/index.d.ts', 'dist/index.js', 'package.json'];

function codes(manifest: Record<string, unknown>, files = goodFiles, directory = 'packages/good') {
  return releaseProblems({ manifest, files, directory }).map((p) => p.code);
}

describe('releaseProblems', () => {
  it('passes a package that has everything, and names a fix for every problem it finds', () => {
    expect(
      releaseProblems({ manifest: goodManifest(), files: goodFiles, directory: 'packages/good' }),
    ).toEqual([]);
    const bare = {
      name: '@hermes/bare',
      version: '1.0',
      dependencies: { '@hermes/adapter-core': 'workspace:*' },
    };
    const problems = releaseProblems({ manifest: bare, files: ['package.json'], directory: 'packages/bare' });
    expect(problems.map((p) => p.code).sort()).toEqual(
      [
        'access_not_public',
        'engines_missing',
        'exports_missing',
        'files_missing',
        'license_file_missing',
        'license_missing',
        'provenance_off',
        'readme_missing',
        'repository_missing',
        'version_invalid',
        'workspace_specifier',
      ].sort(),
    );
    for (const p of problems) expect(p.fix.length, p.code).toBeGreaterThan(10);
  });

  it('checks the repository provenance needs: a GitHub git URL, type git, the package folder', () => {
    const m = goodManifest();
    m['repository'] = { type: 'svn', url: 'https://example.com/x', directory: 'packages/other' };
    expect(codes(m)).toEqual([
      'repository_url_invalid',
      'repository_type_invalid',
      'repository_directory_wrong',
    ]);
    const fix = releaseProblems({ manifest: m, files: goodFiles, directory: 'packages/good' })[2]?.fix;
    expect(fix).toBe('set "directory": "packages/good"');
  });

  it('finds exports the tarball lacks, "types" after another condition, and test files that ship', () => {
    const m = goodManifest();
    m['exports'] = {
      '.': { import: './dist/index.js', types: './dist/index.d.ts' },
      './testing': { types: './dist/testing.d.ts', default: './dist/testing.js' },
    };
    const problems = releaseProblems({
      manifest: m,
      files: [...goodFiles, 'dist/index.test.js', '.env'],
      directory: 'packages/good',
    });
    expect(problems.map((p) => p.code)).toEqual([
      'files_unwanted',
      'exports_unresolvable',
      'exports_types_not_first',
    ]);
    expect(problems[0]?.message).toContain('dist/index.test.js, .env');
    expect(problems[1]?.message).toContain('./dist/testing.d.ts, ./dist/testing.js');
    expect(problems[2]?.message).toContain('at .');
  });

  it('wants one repository for all packages', () => {
    const a = { name: 'a', manifest: goodManifest() };
    const b = {
      name: 'b',
      manifest: { ...goodManifest(), repository: { url: 'git+https://github.com/x/y.git' } },
    };
    expect(repositoryAgreement([a, a])).toEqual([]);
    expect(repositoryAgreement([a, b]).map((p) => p.code)).toEqual(['repository_disagrees']);
  });

  it('reads the bumps of a pending changeset from its front matter', () => {
    const text = '---\n"@hermes/adapter-core": minor\n\'@hermes/agent\': patch\n---\n\nWhy: a: b\n';
    expect(changesetReleases(text)).toEqual([
      { name: '@hermes/adapter-core', bump: 'minor' },
      { name: '@hermes/agent', bump: 'patch' },
    ]);
    expect(changesetReleases('no front matter')).toEqual([]);
  });
});

function runRelease(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [releaseScript, ...args], { timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** The output block of one package: its status line and the problem lines under it. */
function blockOf(out: string, name: string): string {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => /^ {2}(ok|FAIL) {2,4}/.test(l) && l.includes(` ${name}@`));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('the registry recorder', () => {
  it('sees what npm asks when it is not offline, so its "0 requests" means something', async () => {
    const sentinel = await startRegistrySentinel();
    try {
      const { code } = await new Promise<{ code: number | null }>((resolve) => {
        execFile(
          'npm',
          [
            'view',
            '@hermes/adapter-core',
            'version',
            `--registry=${sentinel.url}`,
            '--fetch-retries=0',
            '--no-update-notifier',
          ],
          { timeout: 30_000, env: npmEnvironment(process.env) },
          (error) =>
            resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null }),
        );
      });
      expect(code).not.toBe(0);
      expect(sentinel.requests).toContain('GET /@hermes%2fadapter-core');
    } finally {
      await sentinel.close();
    }
  }, 40_000);
});

describe('release.mjs', () => {
  it('on real packages: packs, checks and dry-runs npm publish with no registry request', async () => {
    const root = findWorkspaceRoot(here);
    const names = ['@hermes/adapter-core', '@hermes/agent'];
    const { code, out } = await runRelease(['--skip-build', ...names.flatMap((n) => ['--package', n])]);
    expect(out).toMatch(/the registry recorder got 0 request\(s\)|registry recorder got 0 requests/);
    expect(out).not.toContain('registry_contacted');
    for (const name of names) {
      const dir = join(root, 'packages', name.replace('@hermes/', ''));
      expect(existsSync(join(dir, 'LICENSE')), `${name} has a LICENSE`).toBe(true);
      expect(blockOf(out, name).split('\n')[0], out).toMatch(
        /^ {2}ok {4}.*public access, provenance, npm publish --dry-run ok$/,
      );
    }
    expect(code).toBe(0);
  }, 90_000);

  it('on a broken fixture package: fails, naming each problem and its fix, and passes the good one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hermes-release-fixture-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    write('pnpm-workspace.yaml', 'packages:\n  - packages/*\n');
    write('package.json', JSON.stringify({ name: 'fixture-root', private: true }));
    write('packages/good/package.json', JSON.stringify({ ...goodManifest(), files: ['dist'] }));
    for (const f of ['LICENSE', 'README.md', 'dist/index.d.ts', 'dist/index.js'])
      write(`packages/good/${f}`, 'x\n');
    write(
      'packages/broken/package.json',
      JSON.stringify({
        name: '@hermes/fixture-broken',
        version: '0.1.0',
        license: 'MIT',
        files: ['dist', 'README.md', 'lib/index.test.js'],
        exports: { '.': { import: './lib/index.js', types: './lib/index.d.ts' } },
      }),
    );
    for (const f of ['README.md', 'lib/index.js', 'lib/index.d.ts', 'lib/index.test.js'])
      write(`packages/broken/${f}`, 'x\n');
    write('.changeset/next.md', '---\n"@hermes/fixture-good": patch\n"@hermes/gone": minor\n---\n\nA fix.\n');

    const { code, out } = await runRelease(['--skip-build', '--root', root]);
    expect(code, out).toBe(1);
    expect(blockOf(out, '@hermes/fixture-good'), out).toMatch(/^ {2}ok {4}@hermes\/fixture-good@1\.2\.3 /);
    const broken = blockOf(out, '@hermes/fixture-broken');
    for (const [problem, fix] of [
      ['license_file_missing', 'add a LICENSE file with the MIT text'],
      ['repository_missing', '"directory": "packages/broken"'],
      ['provenance_off', '"provenance": true'],
      ['access_not_public', '"access": "public"'],
      ['engines_missing', '"engines": { "node"'],
      ['files_unwanted', 'narrow "files"'],
      ['exports_unresolvable', 'keep those files inside "files"'],
      ['exports_types_not_first', 'move "types" before'],
    ] as const) {
      expect(broken, out).toMatch(
        new RegExp(`- \\[${problem}\\][^\\n]*\\n\\s+fix: [^\\n]*${escapeRegExp(fix)}`),
      );
    }
    expect(out).toContain('- [changeset_unknown_package] .changeset/next.md bumps @hermes/gone');
    expect(out).toMatch(
      /1 of 2 package\(s\) not ready, 1 release-wide problem\(s\); nothing was published, the registry recorder got 0 request\(s\)/,
    );
  }, 90_000);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
