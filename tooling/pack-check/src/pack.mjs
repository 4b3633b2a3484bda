// @ts-check
/** Packing a workspace package the way it would be published, and reading the tarball back. */
import { run, tail } from './run.mjs';

/**
 * `pnpm pack` (which rewrites `workspace:*` to real versions and applies `publishConfig`), the same
 * tarball `pnpm publish` would upload.
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @param {string} packDir
 * @returns {Promise<string>} the tarball path
 */
export async function packPackage(pkg, packDir) {
  const result = await run('pnpm', ['pack', '--pack-destination', packDir, '--json'], {
    cwd: pkg.dir,
    timeoutMs: 120_000,
  });
  if (result.code !== 0) throw new Error(`pnpm pack of ${pkg.name} failed:\n${tail(result)}`);
  const at = result.stdout.indexOf('{');
  const filename = at >= 0 ? JSON.parse(result.stdout.slice(at)).filename : undefined;
  if (typeof filename !== 'string')
    throw new Error(`pnpm pack of ${pkg.name} printed no tarball name:\n${tail(result)}`);
  return filename;
}

/**
 * The files in a tarball, relative to the package root (npm tarballs put everything under `package/`).
 * @param {string} tarball
 * @param {string} cwd
 * @returns {Promise<string[]>}
 */
export async function tarballFiles(tarball, cwd) {
  const result = await run('tar', ['-tzf', tarball], { cwd, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`cannot list ${tarball}:\n${tail(result)}`);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
}

/**
 * The package.json inside a tarball: what the registry would serve, after pack rewrote it.
 * @param {string} tarball
 * @param {string} cwd
 * @returns {Promise<Record<string, unknown>>}
 */
export async function tarballManifest(tarball, cwd) {
  const result = await run('tar', ['-xzOf', tarball, 'package/package.json'], { cwd, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`${tarball} has no package/package.json:\n${tail(result)}`);
  return JSON.parse(result.stdout);
}
