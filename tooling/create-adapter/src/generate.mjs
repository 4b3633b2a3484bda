// @ts-check
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { derivePlatformNames } from './names.mjs';
import { renderAdapterFiles } from './templates/index.mjs';
import { readScaffoldVersions } from './workspace.mjs';

/** A problem the person running the scaffold can fix (bad name, folder in the way); printed without a stack. */
export class ScaffoldError extends Error {
  /** @override */
  name = 'ScaffoldError';
}

/**
 * @typedef {object} GenerateOptions
 * @property {string} name               kebab-case platform name, e.g. `rocketchat`
 * @property {string} root               the monorepo root
 * @property {string} [dir]              package folder to create; default `<root>/packages/adapter-<name>`
 * @property {string} [envPrefix]        env var prefix when the Python Hermes one differs from the name
 * @property {string} [label]            display name
 * @property {boolean} [format]          run biome's formatter over the result (default true)
 */

/**
 * @typedef {object} GenerateResult
 * @property {import('./names.mjs').PlatformNames} names
 * @property {string} dir
 * @property {string[]} files   relative paths written
 * @property {string | undefined} formatProblem  why the formatter did not run, if it did not
 */

/**
 * Writes a new adapter package. Refuses a folder that exists and is not empty; removes what it wrote if
 * writing fails halfway, so a retry starts clean.
 * @param {GenerateOptions} options
 * @returns {GenerateResult}
 */
export function generateAdapter(options) {
  let names;
  try {
    names = derivePlatformNames(options.name, { envPrefix: options.envPrefix, label: options.label });
  } catch (error) {
    throw new ScaffoldError(error instanceof Error ? error.message : String(error));
  }
  const dir = resolve(options.dir ?? join(options.root, 'packages', names.folderName));
  const existed = existsSync(dir);
  if (existed && readdirSync(dir).length > 0) {
    throw new ScaffoldError(
      `${dir} already exists and is not empty; the scaffold never overwrites. Pick another name or remove the folder.`,
    );
  }
  const files = renderAdapterFiles(names, readScaffoldVersions(options.root));
  try {
    for (const file of files) {
      const target = join(dir, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content, { flag: 'wx' });
    }
  } catch (error) {
    if (existed)
      for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    else rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const formatProblem = options.format === false ? undefined : formatWithBiome(options.root, dir);
  return { names, dir, files: files.map((f) => f.path), formatProblem };
}

/**
 * The templates are written for readability, not for every name length: let the repo's formatter settle
 * line widths so the new package passes `biome check` from the first commit.
 * @param {string} root
 * @param {string} dir
 * @returns {string | undefined}
 */
function formatWithBiome(root, dir) {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome))
    return `biome is not installed at ${biome}; run \`pnpm format\` after \`pnpm install\``;
  const result = spawnSync(
    biome,
    ['check', '--write', `--config-path=${join(root, 'biome.json')}`, '--vcs-enabled=false', dir],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status === 0) return undefined;
  return `biome check exited with ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().slice(0, 500)}`;
}
