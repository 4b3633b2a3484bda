import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayPackage } from './gateway-package.js';
import { detectInstallKind, updateInstructions } from './install-kind.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'hermes-install-kind-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function pkgAt(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@hermes/gateway', version: '1.2.3' }));
  return dir;
}

/** `npm root -g` answering with the given folder. */
function npmWithGlobalRoot(root: string): string {
  const path = join(base, 'npm');
  writeFileSync(path, `#!/bin/sh\n[ "$1" = root ] && echo "${root}" && exit 0\nexit 1\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('install kind', () => {
  it('a checkout of the monorepo is git, with the git steps', async () => {
    mkdirSync(join(base, 'repo', '.git'), { recursive: true });
    writeFileSync(join(base, 'repo', 'pnpm-workspace.yaml'), 'packages: []\n');
    const root = pkgAt(join(base, 'repo', 'apps', 'gateway'));
    const kind = await detectInstallKind(root, { npm: npmWithGlobalRoot('/nowhere') });
    expect(kind).toEqual({ kind: 'git', root: join(base, 'repo') });
    expect(updateInstructions(kind, '2.0.0')).toBe(
      `cd ${join(base, 'repo')} && git pull && pnpm install && pnpm build, then restart the gateway`,
    );
  });

  it('under npm’s global root it is a global install; elsewhere in node_modules, a project’s', async () => {
    const globalRoot = join(base, 'prefix', 'lib', 'node_modules');
    const global = pkgAt(join(globalRoot, '@hermes', 'gateway'));
    const npm = npmWithGlobalRoot(globalRoot);
    expect(await detectInstallKind(global, { npm })).toEqual({ kind: 'npm-global' });
    expect(updateInstructions({ kind: 'npm-global' }, '2.0.0')).toBe(
      'npm i -g @hermes/gateway@2.0.0, then restart the gateway',
    );
    const local = pkgAt(join(base, 'app', 'node_modules', '@hermes', 'gateway'));
    expect(await detectInstallKind(local, { npm })).toEqual({
      kind: 'npm-local',
      project: join(base, 'app'),
    });
  });

  it('finds its own package from the source tree', () => {
    const pkg = gatewayPackage();
    expect(pkg?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg?.root.endsWith(join('apps', 'gateway'))).toBe(true);
  });
});
