import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { PACKAGE_NAME } from './gateway-package.js';
import { runNpm } from './npm-cli.js';

/** How this gateway was installed, which decides how it is updated. */
export type InstallKind =
  | { kind: 'git'; root: string }
  | { kind: 'npm-global' }
  | { kind: 'npm-local'; project: string }
  | { kind: 'unknown'; root: string };

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The repository root above the package, when it is a checkout of this monorepo. */
function gitCheckout(root: string): string | undefined {
  let dir = root;
  for (;;) {
    if (existsSync(join(dir, '.git')) && existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export async function detectInstallKind(
  packageRoot: string,
  o: { npm?: string; timeoutMs?: number } = {},
): Promise<InstallKind> {
  const root = real(packageRoot);
  const marker = `${sep}node_modules${sep}`;
  if (!root.includes(marker)) {
    const checkout = gitCheckout(root);
    return checkout ? { kind: 'git', root: checkout } : { kind: 'unknown', root };
  }
  const globalRoot = await runNpm(['root', '-g'], o.timeoutMs ?? 5000, o.npm);
  if (globalRoot.ok && real(join(globalRoot.stdout.trim(), PACKAGE_NAME)) === root)
    return { kind: 'npm-global' };
  return { kind: 'npm-local', project: root.slice(0, root.lastIndexOf(marker)) };
}

/** What to run to update this install, for people. */
export function updateInstructions(install: InstallKind, version: string | undefined): string {
  const spec = `${PACKAGE_NAME}@${version ?? 'latest'}`;
  switch (install.kind) {
    case 'git':
      return `cd ${install.root} && git pull && pnpm install && pnpm build, then restart the gateway`;
    case 'npm-global':
      return `npm i -g ${spec}, then restart the gateway`;
    case 'npm-local':
      return `cd ${install.project} && npm i ${spec}, then restart the gateway`;
    case 'unknown':
      return `replace the files in ${install.root} with a new release (or install it with npm i -g ${spec}), then restart the gateway`;
  }
}

export function describeInstall(install: InstallKind): string {
  switch (install.kind) {
    case 'git':
      return `a git checkout at ${install.root}`;
    case 'npm-global':
      return 'installed globally with npm';
    case 'npm-local':
      return `an npm dependency of ${install.project}`;
    case 'unknown':
      return `files at ${install.root}`;
  }
}
