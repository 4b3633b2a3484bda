#!/usr/bin/env node
// @ts-check
/**
 * Pack-and-install check: every publishable workspace package is packed with pnpm (which rewrites
 * `workspace:*` to real versions) and installed with plain npm into an empty folder outside the
 * workspace, together with the tarballs of the workspace packages it needs; then it is imported from
 * ESM, required from CommonJS and type-checked (NodeNext and Bundler), and nothing may resolve back into
 * the workspace.
 *
 *   node tooling/pack-check/src/pack-check.mjs [--package <name>]... [--keep]
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkPackage } from './check-package.mjs';
import { packPackage } from './pack.mjs';
import { findWorkspaceRoot, listWorkspacePackages, workspaceClosure } from './workspace.mjs';

/** @param {string} line */
const log = (line) => process.stdout.write(`${line}\n`);

/**
 * @param {string[]} argv
 * @returns {Promise<number>} exit code
 */
async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      package: { type: 'string', multiple: true },
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    log('Usage: node tooling/pack-check/src/pack-check.mjs [--package <name>]... [--keep]');
    return 0;
  }
  const root = findWorkspaceRoot();
  const all = await listWorkspacePackages(root);
  const byName = new Map(all.map((p) => [p.name, p]));
  const publishable = all.filter((p) => !p.private);
  const wanted = values.package ?? publishable.map((p) => p.name);
  const unknown = wanted.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    log(`pack-check: no workspace package named ${unknown.join(', ')}`);
    return 2;
  }
  const privateOnes = wanted.filter((name) => byName.get(name)?.private);
  if (privateOnes.length > 0) {
    log(`pack-check: ${privateOnes.join(', ')} is private (never published); nothing to check`);
    return 2;
  }

  const packDir = realpathSync(mkdtempSync(join(tmpdir(), 'hermes-pack-check-tarballs-')));
  /** @type {Map<string, Promise<string>>} */
  const packed = new Map();
  /** @param {string} name */
  const tarballOf = (name) => {
    let tarball = packed.get(name);
    if (!tarball) {
      tarball = packPackage(
        /** @type {import('./workspace.mjs').WorkspacePackage} */ (byName.get(name)),
        packDir,
      );
      packed.set(name, tarball);
    }
    return tarball;
  };
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const typesNode = rootManifest.devDependencies?.['@types/node'] ?? '^22';
  const context = {
    root,
    packDir,
    tarballOf,
    workspaceNames: new Set(all.map((p) => p.name)),
    typesNodeSpec: `@types/node@${typesNode}`,
    keep: values.keep === true,
    log,
  };

  // Two at a time: each check mostly waits on npm and tsc child processes, and CI has two cores.
  const workers = Math.max(1, Math.min(2, wanted.length));
  log(`pack-check: ${wanted.length} package(s), ${workers} at a time`);
  const started = Date.now();
  let failed = 0;
  /** @param {string} name */
  const checkOne = async (name) => {
    const pkg = /** @type {import('./workspace.mjs').WorkspacePackage} */ (byName.get(name));
    const { closure, problems: closureProblems } = workspaceClosure(pkg, byName);
    let report;
    try {
      report = await checkPackage(pkg, closure, context);
    } catch (error) {
      report = {
        name,
        problems: [error instanceof Error ? error.message : String(error)],
        notes: [],
        ms: 0,
      };
    }
    const problems = [...closureProblems, ...report.problems];
    const seconds = (report.ms / 1000).toFixed(1);
    if (problems.length === 0) {
      log(`  ok    ${name} (${seconds} s) ${report.notes.join('; ')}`);
    } else {
      failed += 1;
      log(`  FAIL  ${name} (${seconds} s)`);
      for (const problem of problems) log(indent(`- ${problem}`, '        '));
    }
  };
  const queue = [...wanted];
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) await checkOne(name);
      }),
    );
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
  const total = ((Date.now() - started) / 1000).toFixed(1);
  log(
    failed === 0
      ? `pack-check: all ${wanted.length} package(s) install and load from a plain npm project (${total} s)`
      : `pack-check: ${failed} of ${wanted.length} package(s) failed (${total} s)`,
  );
  return failed === 0 ? 0 : 1;
}

/**
 * @param {string} text
 * @param {string} prefix
 */
function indent(text, prefix) {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `pack-check crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
