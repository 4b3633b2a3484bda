import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './cli.mjs';
import { derivePlatformNames } from './names.mjs';
import { catalogLine } from './next-steps.mjs';
import { findWorkspaceRoot } from './workspace.mjs';

const root = findWorkspaceRoot();

function run(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { cwd, root, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function readJson(file: string): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(file, 'utf8'));
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hermes-create-adapter-cli-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('create-adapter CLI', () => {
  it('writes every standard file with the names derived from the platform name', () => {
    const dir = join(tmp, 'adapter-home-assistant');
    const result = run(['home-assistant', '--dir', dir, '--env-prefix', 'HASS', '--no-format'], tmp);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    for (const file of [
      'package.json',
      'tsconfig.json',
      'tsup.config.ts',
      'vitest.config.ts',
      'README.md',
      'src/index.ts',
      'src/config.ts',
      'src/transport.ts',
      'src/inbound.ts',
      'src/outbound.ts',
      'src/format.ts',
      'src/media.ts',
      'src/adapter.ts',
      'src/descriptor.ts',
      'src/testing/fake-server.ts',
      'src/testing/index.ts',
      'src/adapter.test.ts',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const adapter = readFileSync(join(dir, 'src/adapter.ts'), 'utf8');
    expect(adapter).toContain('export class HomeAssistantAdapter implements PlatformAdapter');
    expect(adapter).toContain('export function createHomeAssistantAdapter(config: HomeAssistantConfigInput)');
    const config = readFileSync(join(dir, 'src/config.ts'), 'utf8');
    for (const env of ['HASS_BOT_TOKEN', 'HASS_ALLOWED_USERS', 'HASS_ALLOW_ALL_USERS', 'HASS_HOME_CHANNEL']) {
      expect(config).toContain(`'${env}'`);
    }
    expect(config).toContain('export const HOME_ASSISTANT_ENV');
    expect(config).toContain('export function configFromEnv(env: EnvLike');
    const index = readFileSync(join(dir, 'src/index.ts'), 'utf8');
    expect(index.split('\n').filter((l) => l.trim() !== '' && !/^(export\b|\s|} from)/.test(l))).toEqual([]);
    const test = readFileSync(join(dir, 'src/adapter.test.ts'), 'utf8');
    expect(test).toContain(
      "import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit'",
    );
  });

  it('writes a package.json like adapter-core: peer on core, /testing export, build/typecheck/test scripts', () => {
    const dir = join(tmp, 'pkg');
    expect(run(['rocketchat', '--dir', dir, '--no-format'], tmp).code).toBe(0);
    const pkg = readJson(join(dir, 'package.json'));
    const core = readJson(join(root, 'packages/adapter-core/package.json'));
    expect(pkg['name']).toBe('@hermes/adapter-rocketchat');
    expect(pkg['type']).toBe('module');
    expect(pkg['peerDependencies']).toMatchObject({ '@hermes/adapter-core': `^${core['version']}` });
    expect(pkg['devDependencies']).toMatchObject({
      '@hermes/adapter-core': 'workspace:*',
      '@hermes/tsconfig': 'workspace:*',
      typescript: core['devDependencies']?.['typescript'],
      tsup: core['devDependencies']?.['tsup'],
      vitest: core['devDependencies']?.['vitest'],
    });
    expect(pkg['dependencies']).toEqual({ zod: core['dependencies']?.['zod'] });
    expect(Object.keys(pkg['exports'] ?? {})).toEqual(['.', './testing', './package.json']);
    expect(pkg['scripts']).toEqual({ build: 'tsup', typecheck: 'tsc -p tsconfig.json', test: 'vitest run' });
    expect(pkg['files']).toEqual(['dist', 'README.md']);
  });

  it('marks every unimplemented transport method with an explicit TODO error', () => {
    const dir = join(tmp, 'pkg');
    expect(run(['rocketchat', '--dir', dir, '--no-format'], tmp).code).toBe(0);
    const transport = readFileSync(join(dir, 'src/transport.ts'), 'utf8');
    for (const method of ['connect', 'sendText', 'sendMedia', 'whoAmI']) {
      expect(transport).toContain(`throw todo('${method}'`);
    }
    expect(transport).toContain("new AdapterError('unsupported', `TODO(scaffold): RocketchatTransport.");
  });

  it('prints the next steps, with the catalog line and where the catalog lives', () => {
    const result = run(['rocketchat', '--dir', join(tmp, 'pkg'), '--no-format'], tmp);
    expect(result.out).toContain('apps/gateway/src/platforms/catalog.ts');
    expect(result.out).toContain(
      "{ platform: 'rocketchat', enabledBy: [['ROCKETCHAT_BOT_TOKEN']], load: async () => asDescriptor((await import('@hermes/adapter-rocketchat')).rocketchatDescriptor) },",
    );
    expect(result.out).toContain('pnpm --filter @hermes/adapter-rocketchat test');
  });

  it('resolves a relative --dir against the directory the command was typed in', () => {
    expect(run(['rocketchat', '--dir', 'nested/pkg', '--no-format'], tmp).code).toBe(0);
    expect(existsSync(join(tmp, 'nested/pkg/src/adapter.ts'))).toBe(true);
  });

  it('refuses to overwrite a folder that has files, and leaves them alone', () => {
    const dir = join(tmp, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const result = run(['rocketchat', '--dir', dir], tmp);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/already exists and is not empty; the scaffold never overwrites/);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
  });

  it('refuses a bad name without creating anything', () => {
    const dir = join(tmp, 'bad');
    const result = run(['Rocket_Chat', '--dir', dir], tmp);
    expect(result.code).toBe(1);
    expect(result.err).toContain('"Rocket_Chat" is not a valid platform name');
    expect(existsSync(dir)).toBe(false);
  });

  it('explains usage when the name is missing or an option is unknown', () => {
    expect(run([], tmp)).toMatchObject({
      code: 2,
      err: expect.stringContaining('Usage: pnpm create-adapter <name>'),
    });
    expect(run(['a', '--force'], tmp)).toMatchObject({ code: 2, err: expect.stringContaining("'--force'") });
  });
});

describe('the catalog line', () => {
  const catalog = join(root, 'apps/gateway/src/platforms/catalog.ts');
  // Compared without whitespace (the formatter wraps long entries) and without the env var sets, which
  // differ per platform (WeCom needs two variables); everything else must match the entries already there.
  const normalise = (code: string) =>
    code
      .replace(/\s+/g, '')
      .replace(/,}/g, '}')
      .replace(/enabledBy:\[\[.*?\]\]/g, 'enabledBy:ENV');

  it.skipIf(!existsSync(catalog))('has the shape of the entries already in the gateway catalog', () => {
    const existing = normalise(readFileSync(catalog, 'utf8'));
    for (const name of ['wecom', 'api-server']) {
      const entry = normalise(catalogLine(derivePlatformNames(name))).replace(/,$/, '');
      expect(existing).toContain(entry);
    }
  });
});
