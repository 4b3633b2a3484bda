import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.mjs';
import { findWorkspaceRoot } from '../src/workspace.mjs';

/*
 * Generates a package into os.tmpdir() (never into packages/, so a crashed run leaves nothing in the
 * workspace and no concurrent `pnpm install` can pick it up), links its dependencies to the workspace's
 * copies, then runs its own build, typecheck and test exactly as a contributor would.
 */
const root = findWorkspaceRoot();
const selfDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => join(selfDir, 'node_modules', '.bin', name);

interface Ran {
  code: number;
  output: string;
}

function runIn(cwd: string, command: string, args: string[], timeoutMs = 90_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, CI: 'true' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Where the workspace keeps a dependency the generated package.json names: the scaffold's own, or core's (zod). */
function workspaceCopyOf(name: string): string {
  for (const owner of [selfDir, join(root, 'packages/adapter-core'), root]) {
    const candidate = join(owner, 'node_modules', name);
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  throw new Error(
    `${name} is not installed in the workspace; run bash tooling/scripts/pnpm-locked.sh install`,
  );
}

let tmp: string;
let pkgDir: string;

beforeAll(() => {
  for (const [what, dist] of [
    ['@hermes/adapter-core', 'packages/adapter-core/dist/index.d.ts'],
    ['@hermes/adapter-testkit', 'packages/adapter-testkit/dist/index.d.ts'],
  ] as const) {
    if (!existsSync(join(root, dist)))
      throw new Error(`${what} is not built: run pnpm --filter ${what} build first`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'hermes-create-adapter-build-'));
  pkgDir = join(tmp, 'adapter-zz-scaffold-test');
  const out: string[] = [];
  const err: string[] = [];
  const code = main(['zz-scaffold-test', '--dir', pkgDir], {
    cwd: tmp,
    root,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  if (code !== 0) throw new Error(`create-adapter failed (${code}): ${err.join('\n')}`);
  const formatNote = out.find((l) => l.startsWith('Note: the files were not formatted'));
  if (formatNote) throw new Error(formatNote);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const names = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  for (const name of names) {
    const link = join(pkgDir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(workspaceCopyOf(name), link, 'dir');
  }
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a freshly generated adapter package', () => {
  it('passes biome check as generated', async () => {
    const ran = await runIn(root, join(root, 'node_modules/.bin/biome'), [
      'check',
      `--config-path=${join(root, 'biome.json')}`,
      '--vcs-enabled=false',
      '--diagnostic-level=warn',
      pkgDir,
    ]);
    expect(ran.output).not.toMatch(/Found \d+ (error|warning)/);
    expect(ran.code, ran.output).toBe(0);
  });

  it('builds with tsup: ESM, CommonJS and declarations for . and ./testing', async () => {
    const ran = await runIn(pkgDir, bin('tsup'), []);
    expect(ran.code, ran.output).toBe(0);
    for (const entry of ['index', 'testing/index']) {
      for (const ext of ['.js', '.cjs', '.d.ts', '.d.cts']) {
        expect(existsSync(join(pkgDir, 'dist', `${entry}${ext}`)), `dist/${entry}${ext}`).toBe(true);
      }
    }
    const types = readFileSync(join(pkgDir, 'dist/index.d.ts'), 'utf8');
    expect(types).toContain('declare class ZzScaffoldTestAdapter implements PlatformAdapter');
    expect(types).toContain('declare function createZzScaffoldTestAdapter(');
    expect(types).toContain('declare function configFromEnv(');
  });

  it('typechecks with tsc, tests, configs and the README example included', async () => {
    // The README's example is what bot authors copy first: compile it with the package.
    const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
    const example = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'README.md has a ts block under "## Example"').toBeDefined();
    expect(example?.trim().split('\n').length).toBeLessThanOrEqual(20);
    writeFileSync(
      join(pkgDir, 'src/readme-example.ts'),
      (example ?? '').replaceAll('@hermes/adapter-zz-scaffold-test', './index.js'),
    );
    const ran = await runIn(pkgDir, bin('tsc'), ['-p', 'tsconfig.json']);
    rmSync(join(pkgDir, 'src/readme-example.ts'));
    expect(ran.code, ran.output).toBe(0);
  });

  it("fails its conformance scenarios on the stub's TODOs while its config tests pass", async () => {
    const report = join(tmp, 'vitest-report.json');
    const ran = await runIn(pkgDir, bin('vitest'), ['run', '--reporter=json', `--outputFile=${report}`]);
    expect(ran.code, 'the stub must not pass its own test script').not.toBe(0);
    expect(existsSync(report), ran.output).toBe(true);
    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: Array<{
        name: string;
        assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }>;
      }>;
    };
    const all = results.testResults.flatMap((file) => file.assertionResults);
    const config = all.filter((t) => t.fullName.startsWith('zz-scaffold-test configFromEnv'));
    expect(config.length).toBeGreaterThan(0);
    expect(
      config.every((t) => t.status === 'passed'),
      JSON.stringify(config, null, 2),
    ).toBe(true);
    const conformance = all.filter((t) => t.fullName.includes('scaffold stub'));
    const failed = conformance.filter((t) => t.status === 'failed');
    expect(failed.length, 'conformance scenarios must run and fail').toBeGreaterThan(0);
    for (const t of failed) {
      expect(t.failureMessages.join('\n'), t.fullName).toContain('TODO(scaffold)');
    }
  });
});
