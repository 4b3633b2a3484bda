// @ts-check
import { isAbsolute, relative } from 'node:path';

/**
 * What the contributor does after the scaffold, in order; printed by the CLI.
 * @param {import('./names.mjs').PlatformNames} names
 * @param {{ root: string; dir: string; formatProblem?: string | undefined }} where
 * @returns {string}
 */
export function nextSteps(names, where) {
  const relativeDir = relative(where.root, where.dir) || '.';
  const inWorkspace = !relativeDir.startsWith('..') && !isAbsolute(relativeDir);
  // Paths are shown as typed from the repo root; a folder outside the repo is shown in full.
  const rel = inWorkspace ? relativeDir : where.dir;
  const pkg = names.packageName;
  const lines = [
    `Created ${pkg} in ${rel}.`,
    '',
    'Next steps (docs/adding-a-platform.md explains each one):',
    `  1. Link it into the workspace:   bash tooling/scripts/pnpm-locked.sh install`,
    `  2. See what is missing:          pnpm --filter ${pkg} test`,
    '     The conformance scenarios fail until the stub is filled in; every failure names the TODO it hit.',
    `  3. Fill in, in this order: src/config.ts (env vars), src/transport.ts, src/inbound.ts, src/format.ts,`,
    `     src/media.ts, then src/testing/fake-server.ts and the driver in src/adapter.test.ts.`,
    `     (grep -rn "TODO(scaffold)" ${rel}/src lists them all)`,
    `  4. Register it in the gateway's platform catalog, apps/gateway/src/platforms/catalog.ts: add one line`,
    '     to PLATFORM_CATALOG (enabledBy lists the env var sets that switch it on; the package itself is',
    '     imported only when the platform is enabled):',
    `       ${catalogLine(names)}`,
    `     and the dependency "${pkg}": "workspace:*" to apps/gateway/package.json.`,
    `  5. README.md (fill the TODOs), a changeset (pnpm changeset), then the checks:`,
    `       pnpm --filter ${pkg} build && pnpm --filter ${pkg} typecheck && biome check ${rel}`,
    '       pnpm --filter @hermes/pack-check test',
  ];
  if (!inWorkspace) {
    lines.splice(
      3,
      1,
      `  1. ${rel} is outside the workspace: move it to packages/${names.folderName}, then install.`,
    );
  }
  if (where.formatProblem) lines.push('', `Note: the files were not formatted (${where.formatProblem}).`);
  return lines.join('\n');
}

/**
 * The gateway catalog entry for a new platform, in the shape of the entries already there.
 * @param {import('./names.mjs').PlatformNames} names
 * @returns {string}
 */
export function catalogLine(names) {
  const load = `async () => asDescriptor((await import('${names.packageName}')).${names.camel}Descriptor)`;
  return `{ platform: '${names.id}', enabledBy: [['${names.envPrefix}_BOT_TOKEN']], load: ${load} },`;
}
