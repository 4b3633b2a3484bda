// @ts-check
/**
 * What a package must carry to be published with provenance, judged on the packed manifest and the
 * tarball's file list (not the workspace folder: pack may rewrite the manifest, and `files` decides what
 * ships). Pure functions, so each rule is tested on hand-made input.
 */
import { referencedFiles } from './exports.mjs';
import { localSpecifiers } from './leaks.mjs';

/**
 * @typedef {object} ReleaseProblem
 * @property {string} code     stable, for tests and scripts
 * @property {string} message  what is wrong
 * @property {string} fix      what to change, concretely
 */

/**
 * @typedef {object} ReleaseSubject
 * @property {Record<string, unknown>} manifest  package.json as packed
 * @property {string[]} files                   tarball entries relative to the package root
 * @property {string} directory                 the package folder relative to the repository root, e.g. packages/adapter-core
 */

const NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const LICENSE_FILE = /^(?:LICEN[CS]E|COPYING)(?:\.(?:md|txt))?$/i;
// A GitHub URL npm's provenance check can match against the workflow's repository.
const GITHUB_REPO = /^git\+https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\.git$/;
/** Files that must never ship: tests, local env files, build caches, the README runner's scratch files. */
const NEVER_SHIP = [
  /(?:^|\/)[^/]*\.test\.[cm]?[jt]sx?$/,
  /(?:^|\/)\.env(?:\.|$)/,
  /\.tsbuildinfo$/,
  /(?:^|\/)\.readme-example-/,
  /(?:^|\/)node_modules\//,
];

/**
 * @param {string} code
 * @param {string} message
 * @param {string} fix
 * @returns {ReleaseProblem}
 */
const problem = (code, message, fix) => ({ code, message, fix });

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every rule for one package; an empty list means it can be published as it is.
 * @param {ReleaseSubject} subject
 * @returns {ReleaseProblem[]}
 */
export function releaseProblems(subject) {
  return [
    ...identityProblems(subject.manifest),
    ...licenseProblems(subject.manifest, subject.files),
    ...provenanceProblems(subject.manifest, subject.directory),
    ...contentProblems(subject.manifest, subject.files),
    ...exportsProblems(subject.manifest, subject.files),
  ];
}

/** @param {Record<string, unknown>} m */
function identityProblems(m) {
  /** @type {ReleaseProblem[]} */
  const out = [];
  if (typeof m['name'] !== 'string' || !NAME.test(m['name']))
    out.push(
      problem(
        'name_invalid',
        `"name" is ${JSON.stringify(m['name'])}`,
        'set a lowercase npm name such as "@hermes/adapter-x"',
      ),
    );
  if (typeof m['version'] !== 'string' || !SEMVER.test(m['version']))
    out.push(
      problem(
        'version_invalid',
        `"version" is ${JSON.stringify(m['version'])}`,
        'set a semver version such as "0.1.0" (pnpm changeset version bumps it)',
      ),
    );
  const engines = m['engines'];
  if (!isObject(engines) || typeof engines['node'] !== 'string' || engines['node'].trim() === '')
    out.push(
      problem(
        'engines_missing',
        '"engines.node" is not set',
        'add "engines": { "node": ">=22.19" } (the Node range the package is tested on)',
      ),
    );
  for (const spec of localSpecifiers(m))
    out.push(
      problem(
        'workspace_specifier',
        `the packed package.json still has ${spec}`,
        'pack with pnpm (it rewrites workspace:*), and use a registry range for anything outside the workspace',
      ),
    );
  return out;
}

/**
 * @param {Record<string, unknown>} m
 * @param {string[]} files
 */
function licenseProblems(m, files) {
  /** @type {ReleaseProblem[]} */
  const out = [];
  const license = m['license'];
  if (typeof license !== 'string' || license.trim() === '' || license === 'UNLICENSED')
    out.push(
      problem(
        'license_missing',
        `"license" is ${JSON.stringify(license)}`,
        'add "license": "MIT" (an SPDX id)',
      ),
    );
  if (!files.some((f) => LICENSE_FILE.test(f)))
    out.push(
      problem(
        'license_file_missing',
        'the tarball has no LICENSE file',
        `add a LICENSE file with the ${typeof license === 'string' ? license : 'licence'} text to the package folder (npm packs LICENSE whatever "files" says)`,
      ),
    );
  return out;
}

/**
 * npm's provenance ties the tarball to the repository and workflow that built it: it refuses a package
 * whose `repository.url` does not name that repository, and scoped packages are private unless public.
 * @param {Record<string, unknown>} m
 * @param {string} directory
 */
function provenanceProblems(m, directory) {
  /** @type {ReleaseProblem[]} */
  const out = [];
  const repo = m['repository'];
  const wanted = `"repository": { "type": "git", "url": "git+https://github.com/<owner>/<repo>.git", "directory": "${directory}" }`;
  if (!isObject(repo)) {
    out.push(
      problem('repository_missing', '"repository" is not an object with url and directory', `add ${wanted}`),
    );
  } else {
    if (typeof repo['url'] !== 'string' || !GITHUB_REPO.test(repo['url']))
      out.push(
        problem(
          'repository_url_invalid',
          `"repository.url" is ${JSON.stringify(repo['url'])}`,
          `set it to the GitHub repository: ${wanted}`,
        ),
      );
    if (repo['type'] !== 'git')
      out.push(
        problem(
          'repository_type_invalid',
          `"repository.type" is ${JSON.stringify(repo['type'])}`,
          'set "type": "git"',
        ),
      );
    if (repo['directory'] !== directory)
      out.push(
        problem(
          'repository_directory_wrong',
          `"repository.directory" is ${JSON.stringify(repo['directory'])}, the package is in ${directory}`,
          `set "directory": "${directory}"`,
        ),
      );
  }
  const publish = isObject(m['publishConfig']) ? m['publishConfig'] : {};
  if (publish['provenance'] !== true)
    out.push(
      problem(
        'provenance_off',
        '"publishConfig.provenance" is not true',
        'add "publishConfig": { "access": "public", "provenance": true }',
      ),
    );
  if (String(m['name'] ?? '').startsWith('@') && publish['access'] !== 'public')
    out.push(
      problem(
        'access_not_public',
        'a scoped package without "publishConfig.access": "public" is published as restricted (paid, private)',
        'add "publishConfig": { "access": "public", "provenance": true }',
      ),
    );
  return out;
}

/**
 * @param {Record<string, unknown>} m
 * @param {string[]} files
 */
function contentProblems(m, files) {
  /** @type {ReleaseProblem[]} */
  const out = [];
  if (!Array.isArray(m['files']) || m['files'].length === 0)
    out.push(
      problem(
        'files_missing',
        '"files" is not set, so everything in the folder not ignored would ship',
        'add "files": ["dist", "README.md"]',
      ),
    );
  if (!files.includes('README.md'))
    out.push(
      problem('readme_missing', 'the tarball has no README.md', 'add README.md and keep it in "files"'),
    );
  const stray = files.filter((f) => NEVER_SHIP.some((re) => re.test(f)));
  if (stray.length > 0)
    out.push(
      problem(
        'files_unwanted',
        `the tarball ships ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ` and ${stray.length - 5} more` : ''}`,
        'narrow "files" (or exclude them with "!pattern") so tests and local files stay out',
      ),
    );
  return out;
}

/**
 * @param {Record<string, unknown>} m
 * @param {string[]} files
 */
function exportsProblems(m, files) {
  /** @type {ReleaseProblem[]} */
  const out = [];
  if (m['exports'] === undefined)
    out.push(
      problem(
        'exports_missing',
        '"exports" is not set: consumers could deep-import any file',
        'add "exports" with "." (and each public subpath), "types" first in every condition',
      ),
    );
  const shipped = new Set(files);
  const missing = referencedFiles(m).filter((f) => !shipped.has(f.replace(/^\.\//, '')));
  if (missing.length > 0)
    out.push(
      problem(
        'exports_unresolvable',
        `package.json points at files the tarball lacks: ${missing.join(', ')}`,
        'build first (pnpm build) and keep those files inside "files"',
      ),
    );
  const late = typesNotFirst(m['exports'], '');
  if (late.length > 0)
    out.push(
      problem(
        'exports_types_not_first',
        `"types" is not the first condition at ${late.join(', ')}; TypeScript takes the first match`,
        'move "types" before "import"/"require"/"default" in each condition object',
      ),
    );
  return out;
}

/**
 * Condition objects (keys not starting with ".") where "types" exists but is not the first key.
 * @param {unknown} value
 * @param {string} at
 * @returns {string[]}
 */
function typesNotFirst(value, at) {
  if (!isObject(value)) return [];
  const keys = Object.keys(value);
  const here = keys.includes('types') && keys[0] !== 'types' ? [at || '.'] : [];
  return [...here, ...keys.flatMap((k) => typesNotFirst(value[k], at ? `${at} > ${k}` : k))];
}

/**
 * One repository for all packages: provenance names a single source repository.
 * @param {Array<{ name: string; manifest: Record<string, unknown> }>} packages
 * @returns {ReleaseProblem[]}
 */
export function repositoryAgreement(packages) {
  /** @type {Map<string, string[]>} */
  const byUrl = new Map();
  for (const p of packages) {
    const repo = p.manifest['repository'];
    if (!isObject(repo) || typeof repo['url'] !== 'string') continue;
    byUrl.set(repo['url'], [...(byUrl.get(repo['url']) ?? []), p.name]);
  }
  if (byUrl.size <= 1) return [];
  const listed = [...byUrl].map(([url, names]) => `${url} (${names.join(', ')})`).join('; ');
  return [
    problem(
      'repository_disagrees',
      `packages name different repositories: ${listed}`,
      'use the one GitHub repository these packages are built and published from in every "repository.url"',
    ),
  ];
}

/**
 * Changesets waiting for `changeset version`: the packages each bumps, from the front matter.
 * @param {string} text  a .changeset/*.md file
 * @returns {Array<{ name: string; bump: string }>}
 */
export function changesetReleases(text) {
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!front?.[1]) return [];
  return front[1]
    .split(/\r?\n/)
    .map((line) => /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ name: String(m[1]).trim(), bump: String(m[2]) }));
}
