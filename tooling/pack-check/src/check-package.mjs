// @ts-check
/** One package end to end: install its tarball into an empty folder, then load it every way a consumer would. */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSpecifiers, missingExports, referencedFiles, requiredExports } from './exports.mjs';
import { escapedResolutions, foreignWorkspaceCopies, isInside, localSpecifiers } from './leaks.mjs';
import { loadAll } from './probes.mjs';
import { npmEnvironment, run, tail } from './run.mjs';
import { checkTypes, declarationImportProblems } from './types.mjs';

/**
 * @typedef {object} PackageReport
 * @property {string} name
 * @property {string[]} problems  empty when the package passed
 * @property {string[]} notes     what was checked, for the summary line
 * @property {number} ms
 */

/**
 * @typedef {object} CheckContext
 * @property {string} root               workspace root
 * @property {string} packDir            where the tarballs are
 * @property {(name: string) => Promise<string>} tarballOf   packs on first use
 * @property {ReadonlySet<string>} workspaceNames
 * @property {string} typesNodeSpec      e.g. `@types/node@^22.20.5`, installed so .d.ts that use Node types resolve
 * @property {boolean} keep              leave the consumer folder for inspection
 * @property {(line: string) => void} log
 */

/**
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @param {import('./workspace.mjs').WorkspacePackage[]} closure  pkg and the workspace packages it needs
 * @param {CheckContext} ctx
 * @returns {Promise<PackageReport>}
 */
export async function checkPackage(pkg, closure, ctx) {
  const started = Date.now();
  // Unbuilt: say so at once instead of packing, installing and failing every import.
  const unbuilt = referencedFiles(pkg.manifest).filter((file) => !existsSync(join(pkg.dir, file)));
  if (unbuilt.length > 0) {
    const problem = `${pkg.name} is not built: ${unbuilt.join(', ')} missing. Run pnpm --filter ${pkg.name} build first`;
    return { name: pkg.name, problems: [problem], notes: [], ms: Date.now() - started };
  }
  const consumerDir = realpathSync(mkdtempSync(join(tmpdir(), 'hermes-pack-check-consumer-')));
  try {
    const installProblem = await installInto(consumerDir, closure, ctx);
    const result = installProblem
      ? { problems: [installProblem], notes: [] }
      : await checkInstalled(pkg, closure, consumerDir, ctx);
    return { name: pkg.name, ...result, ms: Date.now() - started };
  } finally {
    if (ctx.keep) ctx.log(`  kept ${consumerDir}`);
    else rmSync(consumerDir, { recursive: true, force: true });
  }
}

/**
 * An empty project outside the workspace, then plain npm with the tarballs: what a user's machine does.
 * @param {string} consumerDir
 * @param {import('./workspace.mjs').WorkspacePackage[]} closure
 * @param {CheckContext} ctx
 * @returns {Promise<string | undefined>} why the install could not be done
 */
async function installInto(consumerDir, closure, ctx) {
  if (isInside(consumerDir, ctx.root)) {
    return `the temp folder ${consumerDir} is inside the workspace; set TMPDIR to a folder outside it`;
  }
  const tarballs = [];
  for (const member of closure) tarballs.push(await ctx.tarballOf(member.name));
  const manifest = { name: 'hermes-pack-check-consumer', version: '0.0.0', private: true };
  writeFileSync(join(consumerDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  const install = await run('npm', ['install', ...flags, ...tarballs, ctx.typesNodeSpec], {
    cwd: consumerDir,
    env: npmEnvironment(process.env),
    timeoutMs: 180_000,
  });
  if (install.code === 0) return undefined;
  return `npm install of the tarball failed${install.timedOut ? ' (timed out after 180 s)' : ''}:\n${tail(install)}`;
}

/**
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @param {import('./workspace.mjs').WorkspacePackage[]} closure
 * @param {string} consumerDir
 * @param {CheckContext} ctx
 * @returns {Promise<{ problems: string[]; notes: string[] }>}
 */
async function checkInstalled(pkg, closure, consumerDir, ctx) {
  const problems = [
    ...checkInstalledManifests(pkg.name, closure, consumerDir),
    ...escapedResolutions(consumerDir, ctx.root),
    ...foreignWorkspaceCopies(consumerDir, ctx.workspaceNames, ctx.packDir),
  ];
  /** @type {string[]} */
  const notes = [];
  const installedDir = join(consumerDir, 'node_modules', pkg.name);
  const manifest = JSON.parse(readFileSync(join(installedDir, 'package.json'), 'utf8'));
  const missingFiles = referencedFiles(manifest).filter((file) => !existsSync(join(installedDir, file)));
  if (missingFiles.length > 0) {
    problems.push(
      `${pkg.name}'s package.json points at files its tarball does not have: ${missingFiles.join(', ')}. ` +
        `Build it first (pnpm --filter ${pkg.name} build) and keep them in "files"; import checks skipped`,
    );
    return { problems, notes };
  }
  problems.push(...declarationImportProblems(installedDir, manifest, consumerDir));
  const specifiers = importSpecifiers(pkg.name, manifest);
  if (specifiers.length === 0) return { problems, notes: ['no exports or main: nothing to import'] };
  const esm = await loadAll('esm', specifiers, consumerDir);
  const cjs = await loadAll('cjs', specifiers, consumerDir);
  /** @type {{ esm: import('./types.mjs').TypeTarget[]; cjs: import('./types.mjs').TypeTarget[] }} */
  const typeTargets = { esm: [], cjs: [] };
  for (const spec of specifiers) {
    const compared = compareLoads(spec, esm[spec], cjs[spec]);
    problems.push(...compared.problems);
    notes.push(...compared.notes);
    const fromEsm = esm[spec];
    const fromCjs = cjs[spec];
    if (fromEsm?.ok) typeTargets.esm.push({ specifier: spec, names: fromEsm.names });
    if (fromCjs?.ok) typeTargets.cjs.push({ specifier: spec, names: fromCjs.names });
  }
  if (typeTargets.esm.length > 0 || typeTargets.cjs.length > 0) {
    problems.push(...(await checkTypes(typeTargets, consumerDir)));
  }
  notes.unshift(`${specifiers.join(', ')}: esm, cjs, types (NodeNext esm+cjs, Bundler)`);
  return { problems, notes };
}

/**
 * The manifests as npm installed them: no local-only specifier in any of them; for the package under
 * check (the others get their own run) a README.
 * @param {string} name
 * @param {import('./workspace.mjs').WorkspacePackage[]} closure
 * @param {string} consumerDir
 * @returns {string[]}
 */
function checkInstalledManifests(name, closure, consumerDir) {
  const problems = [];
  for (const member of closure) {
    const dir = join(consumerDir, 'node_modules', member.name);
    if (!existsSync(join(dir, 'package.json'))) {
      problems.push(`${member.name} is not in node_modules after npm install`);
      continue;
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const spec of localSpecifiers(manifest)) {
      problems.push(
        `${member.name}'s published package.json still has ${spec}; only registry versions work for npm users`,
      );
    }
    if (member.name !== name) continue;
    if (!existsSync(join(dir, 'README.md'))) {
      problems.push(`${member.name}'s tarball has no README.md (add one, and keep "README.md" in "files")`);
    }
  }
  return problems;
}

/**
 * Both module systems must load the specifier and offer what the contract asks of each. CommonJS may offer
 * less than ESM (a note, e.g. the testkit's vitest-bound suite), never something ESM lacks.
 * @param {string} spec
 * @param {import('./probes.mjs').LoadOutcome | undefined} esm
 * @param {import('./probes.mjs').LoadOutcome | undefined} cjs
 * @returns {{ problems: string[]; notes: string[] }}
 */
function compareLoads(spec, esm, cjs) {
  const problems = [];
  const notes = [];
  if (!esm?.ok) problems.push(`import('${spec}') from ESM failed:\n${esm?.error ?? 'no result'}`);
  if (!cjs?.ok) problems.push(`require('${spec}') from CommonJS failed:\n${cjs?.error ?? 'no result'}`);
  for (const [mode, outcome, call] of /** @type {const} */ ([
    ['esm', esm, `import('${spec}')`],
    ['cjs', cjs, `require('${spec}')`],
  ])) {
    if (!outcome?.ok) continue;
    if (outcome.names.length === 0) problems.push(`${call} has no named exports`);
    const missing = missingExports(outcome.names, requiredExports(spec, mode));
    if (missing.length > 0) problems.push(`${call} lacks ${missing.join(', ')}`);
  }
  if (esm?.ok && cjs?.ok) {
    const onlyCjs = cjs.names.filter((n) => !esm.names.includes(n));
    if (onlyCjs.length > 0)
      problems.push(`require('${spec}') has names that import() lacks: ${onlyCjs.join(', ')}`);
    const onlyEsm = esm.names.filter((n) => !cjs.names.includes(n));
    if (onlyEsm.length > 0) notes.push(`ESM-only in ${spec}: ${onlyEsm.join(', ')}`);
  }
  return { problems, notes };
}
