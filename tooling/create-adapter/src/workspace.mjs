// @ts-check
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The monorepo root: the nearest folder above this file that holds `pnpm-workspace.yaml`.
 * @param {string} [from]
 * @returns {string}
 */
export function findWorkspaceRoot(from = dirname(fileURLToPath(import.meta.url))) {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`no pnpm-workspace.yaml above ${from}: run the scaffold from the Hermes monorepo`);
    dir = parent;
  }
}

/**
 * @typedef {object} ScaffoldVersions
 * @property {string} corePeerRange     `^0.1.0`: what a published adapter accepts of adapter-core
 * @property {string} testkitPeerRange  same for adapter-testkit (needed by the `/testing` subpath only)
 * @property {string} zod
 * @property {string} typescript
 * @property {string} tsup
 * @property {string} vitest
 * @property {string} typesNode
 * @property {string} nodeEngine
 * @property {string | undefined} repositoryUrl  the monorepo's git URL (provenance needs it on every package)
 * @property {string | undefined} license        the root LICENSE text, copied into the package (npm ships it)
 */

/**
 * @param {string} file
 * @returns {Record<string, unknown>}
 */
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * @param {unknown} record
 * @param {string} key
 * @returns {string | undefined}
 */
function stringAt(record, key) {
  if (typeof record !== 'object' || record === null) return undefined;
  const value = /** @type {Record<string, unknown>} */ (record)[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Versions for the generated package.json, taken from adapter-core (the reference package every adapter copies)
 * so that a new adapter always starts on exactly the toolchain the rest of the repo builds with.
 * @param {string} root
 * @returns {ScaffoldVersions}
 */
export function readScaffoldVersions(root) {
  const core = readJson(join(root, 'packages/adapter-core/package.json'));
  const testkitFile = join(root, 'packages/adapter-testkit/package.json');
  const testkit = existsSync(testkitFile) ? readJson(testkitFile) : { version: '0.1.0' };
  const dev = core['devDependencies'];
  const deps = core['dependencies'];
  /** @param {string | undefined} value @param {string} what */
  const need = (value, what) => {
    if (value === undefined)
      throw new Error(`packages/adapter-core/package.json has no ${what}; the scaffold copies it from there`);
    return value;
  };
  return {
    corePeerRange: `^${need(stringAt(core, 'version'), 'version')}`,
    testkitPeerRange: `^${need(stringAt(testkit, 'version'), 'version (adapter-testkit)')}`,
    zod: need(stringAt(deps, 'zod'), 'dependencies.zod'),
    typescript: need(stringAt(dev, 'typescript'), 'devDependencies.typescript'),
    tsup: need(stringAt(dev, 'tsup'), 'devDependencies.tsup'),
    vitest: need(stringAt(dev, 'vitest'), 'devDependencies.vitest'),
    typesNode: need(stringAt(dev, '@types/node'), 'devDependencies["@types/node"]'),
    nodeEngine: stringAt(core['engines'], 'node') ?? '>=22.13',
    repositoryUrl: stringAt(core['repository'], 'url'),
    license: existsSync(join(root, 'LICENSE')) ? readFileSync(join(root, 'LICENSE'), 'utf8') : undefined,
  };
}
