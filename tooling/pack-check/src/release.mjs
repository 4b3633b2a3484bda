#!/usr/bin/env node
// @ts-check
/**
 * `pnpm release`: a dry run of publishing every publishable workspace package. It builds them (turbo),
 * packs each as `pnpm publish` would, checks the packed manifest and file list for what npm and
 * provenance need (see release-checks.mjs), and runs `npm publish --dry-run` on the tarball with no
 * network (see release-publish.mjs). Nothing is published and nothing in the repository changes; pending
 * changesets are listed, not applied.
 *
 *   node tooling/pack-check/src/release.mjs [--package <name>]... [--skip-build] [--root <workspace>]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { referencedFiles } from './exports.mjs';
import { packPackage, tarballFiles, tarballManifest } from './pack.mjs';
import { changesetReleases, releaseProblems, repositoryAgreement } from './release-checks.mjs';
import { publishDryRun, startRegistrySentinel } from './release-publish.mjs';
import { run, tail } from './run.mjs';
import { findWorkspaceRoot, listWorkspacePackages } from './workspace.mjs';

/** @param {string} line */
const log = (line) => process.stdout.write(`${line}\n`);

/**
 * @typedef {import('./release-checks.mjs').ReleaseProblem} ReleaseProblem
 * @typedef {import('./workspace.mjs').WorkspacePackage} WorkspacePackage
 */

/**
 * @param {string[]} argv
 * @returns {Promise<number>} exit code
 */
async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      package: { type: 'string', multiple: true },
      'skip-build': { type: 'boolean' },
      root: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    log('Usage: pnpm release [--package <name>]... [--skip-build]   (a dry run: nothing is published)');
    return 0;
  }
  const root = realpathSync(values.root ?? findWorkspaceRoot());
  const all = await listWorkspacePackages(root);
  const byName = new Map(all.map((p) => [p.name, p]));
  const wanted = values.package ?? all.filter((p) => !p.private).map((p) => p.name);
  const unknown = wanted.filter((name) => !byName.get(name) || byName.get(name)?.private);
  if (unknown.length > 0) {
    log(`release: ${unknown.join(', ')} is not a publishable workspace package`);
    return 2;
  }
  if (wanted.length === 0) {
    log('release: no publishable package (every workspace package is private)');
    return 2;
  }
  const packages = wanted.map((name) => /** @type {WorkspacePackage} */ (byName.get(name)));
  /** @type {ReleaseProblem[]} */
  const overall = changesetProblems(root, byName);

  if (!values['skip-build']) {
    log(`release: building ${packages.length} package(s) with turbo`);
    const filters = packages.map((p) => `--filter=${p.name}`);
    const built = await run('turbo', ['run', 'build', ...filters, '--output-logs=errors-only'], {
      cwd: root,
      timeoutMs: 900_000,
    });
    if (built.code !== 0) {
      log(`release: the build failed, nothing was checked:\n${tail(built, 20)}`);
      log('  fix: run pnpm build and fix the first error it shows');
      return 1;
    }
  }

  const workDir = realpathSync(mkdtempSync(join(tmpdir(), 'hermes-release-')));
  const sentinel = await startRegistrySentinel();
  log(
    `release (dry run): ${packages.length} package(s); npm publish --dry-run --offline, registry ${sentinel.url} (loopback recorder)`,
  );
  const started = Date.now();
  /** @type {Array<{ name: string; manifest: Record<string, unknown> }>} */
  const packed = [];
  let failed = 0;
  /** @param {WorkspacePackage} pkg */
  const checkOne = async (pkg) => {
    const result = await checkPackage(pkg, root, workDir, sentinel.url).catch((error) => ({
      manifest: undefined,
      line: '',
      problems: [
        {
          code: 'check_crashed',
          message: error instanceof Error ? error.message : String(error),
          fix: 'see the message; run the step by hand in the package folder',
        },
      ],
    }));
    if (result.manifest) packed.push({ name: pkg.name, manifest: result.manifest });
    if (result.problems.length === 0) {
      log(`  ok    ${pkg.name}@${pkg.version}  ${result.line}`);
      return;
    }
    failed += 1;
    log(`  FAIL  ${pkg.name}@${pkg.version}`);
    for (const p of result.problems) log(formatProblem(p));
  };
  const queue = [...packages];
  try {
    // Two at a time: pack and npm mostly wait on child processes, and CI has two cores.
    await Promise.all(
      Array.from({ length: Math.min(2, queue.length) }, async () => {
        for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) await checkOne(pkg);
      }),
    );
  } finally {
    await sentinel.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  overall.push(...repositoryAgreement(packed));
  if (sentinel.requests.length > 0) {
    overall.push({
      code: 'registry_contacted',
      message: `npm publish --dry-run sent ${sentinel.requests.length} request(s) to the registry: ${sentinel.requests.slice(0, 3).join(', ')}`,
      fix: 'keep --offline on the dry run (this npm needs it to skip the "version exists?" lookup)',
    });
  }
  if (overall.length > 0) {
    log('  FAIL  release-wide');
    for (const p of overall) log(formatProblem(p));
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failed === 0 && overall.length === 0) {
    log(
      `release (dry run): all ${packages.length} package(s) ready to publish with provenance; nothing was published, the registry recorder got 0 requests (${seconds} s)`,
    );
    return 0;
  }
  log(
    `release (dry run): ${failed} of ${packages.length} package(s) not ready${overall.length > 0 ? `, ${overall.length} release-wide problem(s)` : ''}; nothing was published, the registry recorder got ${sentinel.requests.length} request(s); apply each fix above and run pnpm release again (${seconds} s)`,
  );
  return 1;
}

/**
 * @param {WorkspacePackage} pkg
 * @param {string} root
 * @param {string} workDir
 * @param {string} registry
 * @returns {Promise<{ manifest: Record<string, unknown> | undefined; line: string; problems: ReleaseProblem[] }>}
 */
async function checkPackage(pkg, root, workDir, registry) {
  const unbuilt = referencedFiles(pkg.manifest).filter((file) => !existsSync(join(pkg.dir, file)));
  if (unbuilt.length > 0) {
    const fix = `run pnpm --filter ${pkg.name} build (or pnpm release without --skip-build)`;
    return {
      manifest: undefined,
      line: '',
      problems: [{ code: 'not_built', message: `${unbuilt.join(', ')} missing`, fix }],
    };
  }
  const own = realpathSync(mkdtempSync(join(workDir, 'pkg-')));
  const tarball = await packPackage(pkg, own);
  const files = await tarballFiles(tarball, own);
  const manifest = await tarballManifest(tarball, own);
  const directory = relative(root, pkg.dir).split(sep).join('/');
  const problems = releaseProblems({ manifest, files, directory });
  const scope = pkg.name.startsWith('@') ? pkg.name.split('/')[0] : undefined;
  const dry = await publishDryRun(tarball, { registry, workDir: own, ...(scope ? { scope } : {}) });
  const expected = `${manifest['name']}@${manifest['version']}`;
  if (!dry.ok) {
    problems.push({
      code: 'publish_dry_run_failed',
      message: `npm publish --dry-run failed:\n${dry.detail}`,
      fix: 'fix what npm names above, then run pnpm release again',
    });
  } else if (dry.id !== expected) {
    problems.push({
      code: 'publish_dry_run_mismatch',
      message: `npm would publish ${dry.id}, the packed package.json says ${expected}`,
      fix: 'pack with pnpm from the package folder so the manifest and the tarball agree',
    });
  }
  return {
    manifest,
    line: `${files.length} files, ${dry.access ?? '?'} access, provenance, npm publish --dry-run ok`,
    problems,
  };
}

/**
 * Problems found across packages: every pending changeset must name a publishable package, or
 * `changeset version` stops.
 * @param {string} root
 * @param {Map<string, WorkspacePackage>} byName
 * @returns {ReleaseProblem[]}
 */
function changesetProblems(root, byName) {
  const dir = join(root, '.changeset');
  if (!existsSync(dir)) {
    log('release: no .changeset folder; versions are taken as they are in package.json');
    return [];
  }
  const pending = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
  /** @type {ReleaseProblem[]} */
  const problems = [];
  /** @type {string[]} */
  const bumps = [];
  for (const file of pending) {
    for (const { name, bump } of changesetReleases(readFileSync(join(dir, file), 'utf8'))) {
      bumps.push(`${name} ${bump}`);
      const target = byName.get(name);
      if (!target || target.private) {
        problems.push({
          code: 'changeset_unknown_package',
          message: `.changeset/${file} bumps ${name}, which is ${target ? 'private' : 'not a workspace package'}`,
          fix: `remove ${name} from .changeset/${file} (or fix its name)`,
        });
      }
    }
  }
  log(
    pending.length === 0
      ? 'release: no pending changeset; versions are as in package.json'
      : `release: ${pending.length} pending changeset(s) (${pending.join(', ')}), not applied in this dry run: ${bumps.length} bump(s); pnpm changeset version applies them`,
  );
  return problems;
}

/** @param {ReleaseProblem} p */
function formatProblem(p) {
  const message = p.message
    .split('\n')
    .map((line, i) => (i === 0 ? line : `          ${line}`))
    .join('\n');
  return `        - [${p.code}] ${message}\n          fix: ${p.fix}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `release crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
