// @ts-check
/** Finding what only works inside the workspace: protocol specifiers left in a manifest, and paths that lead back into the repo. */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ALL_DEPENDENCY_FIELDS, dependencyEntries } from './workspace.mjs';

const LOCAL_PROTOCOL = /^(workspace|link|file|portal):/;

/**
 * Dependency specifiers a registry consumer cannot resolve: `workspace:` (pnpm should have rewritten it
 * on pack), `link:`, `file:` and `portal:` (paths on the machine that packed it).
 * @param {Record<string, unknown>} manifest
 * @returns {string[]}
 */
export function localSpecifiers(manifest) {
  return dependencyEntries(manifest, ALL_DEPENDENCY_FIELDS)
    .filter((d) => LOCAL_PROTOCOL.test(d.spec))
    .map((d) => `${d.field}.${d.name} is "${d.spec}"`);
}

/**
 * @param {string} child
 * @param {string} parent
 */
export function isInside(child, parent) {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/**
 * Every installed package folder under `node_modules` (nested ones too), with where it really lives.
 * @param {string} consumerDir
 * @returns {Array<{ at: string; real: string; link: boolean }>}
 */
export function installedPackageDirs(consumerDir) {
  /** @type {Array<{ at: string; real: string; link: boolean }>} */
  const found = [];
  /** @param {string} modulesDir */
  const walk = (modulesDir) => {
    if (!existsSync(modulesDir)) return;
    for (const entry of readdirSync(modulesDir)) {
      if (entry.startsWith('.')) continue;
      const at = join(modulesDir, entry);
      if (entry.startsWith('@')) {
        walk(at);
        continue;
      }
      const link = lstatSync(at).isSymbolicLink();
      let real;
      try {
        real = realpathSync(at);
      } catch {
        real = at; // a dangling link: reported by the import checks, not here
      }
      found.push({ at, real, link });
      if (!link) walk(join(at, 'node_modules'));
    }
  };
  walk(join(consumerDir, 'node_modules'));
  return found;
}

/**
 * Installed packages that resolve into the workspace or anywhere outside the consumer folder: a
 * symlink npm made for a `file:`/`link:` directory dependency, for example.
 * @param {string} consumerDir
 * @param {string} workspaceRoot
 * @returns {string[]}
 */
export function escapedResolutions(consumerDir, workspaceRoot) {
  const consumerReal = realpathSync(consumerDir);
  return installedPackageDirs(consumerDir)
    .filter((p) => !isInside(p.real, consumerReal))
    .map((p) => {
      const where = isInside(p.real, workspaceRoot) ? 'into the workspace' : 'outside the consumer folder';
      return `${relative(consumerDir, p.at)} resolves ${where}: ${p.real}`;
    });
}

/**
 * Workspace packages npm did not take from our tarballs (package-lock.json says where each came from).
 * @param {string} consumerDir
 * @param {ReadonlySet<string>} workspaceNames
 * @param {string} packDir  where the tarballs are
 * @returns {string[]}
 */
export function foreignWorkspaceCopies(consumerDir, workspaceNames, packDir) {
  const lockFile = join(consumerDir, 'package-lock.json');
  if (!existsSync(lockFile))
    return ['npm wrote no package-lock.json, so where each package came from cannot be checked'];
  /** @type {{ packages?: Record<string, { resolved?: string; link?: boolean; version?: string }> }} */
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  /** @type {string[]} */
  const problems = [];
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!key.includes('node_modules/') || !workspaceNames.has(name)) continue;
    if (entry.link) {
      problems.push(`${key} is a link, not an installed copy`);
      continue;
    }
    const resolved = entry.resolved ?? '';
    const fromTarball =
      resolved.startsWith('file:') && isInside(resolve(consumerDir, resolved.slice(5)), packDir);
    if (!fromTarball) {
      problems.push(
        `${key} came from ${resolved || 'the registry'}, not from the packed tarball (a second copy of a workspace package)`,
      );
    }
  }
  return problems;
}
