// @ts-check
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tail } from './run.mjs';

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name
 * @property {string} version
 * @property {string} dir
 * @property {boolean} private
 * @property {Record<string, unknown>} manifest  its package.json
 */

/** The dependency fields a consumer's npm reads (devDependencies only matter for the leak check). */
export const RUNTIME_DEPENDENCY_FIELDS = /** @type {const} */ ([
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
]);
export const ALL_DEPENDENCY_FIELDS = /** @type {const} */ ([...RUNTIME_DEPENDENCY_FIELDS, 'devDependencies']);

/**
 * @param {string} [from]
 * @returns {string}
 */
export function findWorkspaceRoot(from = dirname(fileURLToPath(import.meta.url))) {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

/**
 * Every workspace package as pnpm sees it (the root excluded), so the list never disagrees with pnpm-workspace.yaml.
 * @param {string} root
 * @returns {Promise<WorkspacePackage[]>}
 */
export async function listWorkspacePackages(root) {
  const result = await run('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: root, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`pnpm ls failed:\n${tail(result)}`);
  /** @type {Array<{ name?: string; path: string }>} */
  const listed = JSON.parse(result.stdout);
  return listed
    .filter((p) => resolve(p.path) !== resolve(root) && typeof p.name === 'string')
    .map((p) => {
      const manifest = JSON.parse(readFileSync(join(p.path, 'package.json'), 'utf8'));
      return {
        name: String(manifest.name),
        version: String(manifest.version ?? '0.0.0'),
        dir: p.path,
        private: manifest.private === true,
        manifest,
      };
    });
}

/**
 * @param {Record<string, unknown>} manifest
 * @param {readonly string[]} fields
 * @returns {Array<{ field: string; name: string; spec: string }>}
 */
export function dependencyEntries(manifest, fields) {
  /** @type {Array<{ field: string; name: string; spec: string }>} */
  const entries = [];
  for (const field of fields) {
    const deps = manifest[field];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const [name, spec] of Object.entries(deps)) entries.push({ field, name, spec: String(spec) });
  }
  return entries;
}

/**
 * The package plus every workspace package it needs at install time (dependencies and peers, optional
 * ones included so that subpaths like `/testing` can load), transitively. npm must get all of them as
 * tarballs: asked for one by name it would go to the public registry, where `@hermes/*` is not ours.
 * @param {WorkspacePackage} pkg
 * @param {Map<string, WorkspacePackage>} byName
 * @returns {{ closure: WorkspacePackage[]; problems: string[] }}
 */
export function workspaceClosure(pkg, byName) {
  /** @type {Map<string, WorkspacePackage>} */
  const seen = new Map([[pkg.name, pkg]]);
  /** @type {string[]} */
  const problems = [];
  const queue = [pkg];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const dep of dependencyEntries(current.manifest, RUNTIME_DEPENDENCY_FIELDS)) {
      const target = byName.get(dep.name);
      if (target === undefined || seen.has(target.name)) continue;
      if (target.private) {
        problems.push(
          `${current.name} lists the private workspace package ${dep.name} in ${dep.field}; it is never published, so npm cannot install it`,
        );
        continue;
      }
      seen.set(target.name, target);
      queue.push(target);
    }
  }
  return { closure: [...seen.values()], problems };
}
