// @ts-check
/** Type-checking a consumer file against the installed package, with the workspace's own TypeScript. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { run, tail } from './run.mjs';

const require = createRequire(import.meta.url);

/** The tsc of the workspace (typescript is a devDependency of this package), run by absolute path. */
export function tscPath() {
  return join(require.resolve('typescript/package.json'), '..', 'bin', 'tsc');
}

const COMMON_OPTIONS = {
  strict: true,
  noEmit: true,
  target: 'ES2022',
  lib: ['ES2023'],
  types: ['node'],
  // Checking every third-party .d.ts (zod, vite...) costs ~8 s per package here; what could go wrong in
  // ours, an import of something the package does not depend on, is checked statically by declarationImports.
  skipLibCheck: true,
  forceConsistentCasingInFileNames: true,
};

/**
 * @typedef {object} TypeTarget
 * @property {string} specifier
 * @property {string[]} names  value exports seen at runtime: each must also exist in the types
 */

/**
 * A file that imports every runtime export by name, so a value missing from the .d.ts (or a .d.ts that
 * does not resolve under this mode) is a compile error.
 * @param {TypeTarget[]} targets
 * @returns {string}
 */
function consumerSource(targets) {
  const lines = [];
  const used = [];
  for (const [index, target] of targets.entries()) {
    if (target.names.length === 0) {
      lines.push(`import * as ns${index} from '${target.specifier}';`);
      used.push(`ns${index}`);
      continue;
    }
    const bindings = target.names.map((name) => `${name} as i${index}_${name}`);
    lines.push(`import { ${bindings.join(', ')} } from '${target.specifier}';`);
    used.push(...target.names.map((name) => `i${index}_${name}`));
  }
  lines.push(`export const used: unknown[] = [${used.join(', ')}];`, '');
  return lines.join('\n');
}

/**
 * Checks the package's types three ways: NodeNext from an ESM file (.mts: the `import` condition),
 * NodeNext from a CommonJS file (.cts: the `require` condition, i.e. the .d.cts files), and Bundler. Each
 * file imports the names its module system really exposes at run time.
 * @param {{ esm: TypeTarget[]; cjs: TypeTarget[] }} targets
 * @param {string} consumerDir
 * @returns {Promise<string[]>} problems, one per failing mode
 */
export async function checkTypes(targets, consumerDir) {
  writeFileSync(join(consumerDir, 'check-esm.mts'), consumerSource(targets.esm));
  writeFileSync(join(consumerDir, 'check-cjs.cts'), consumerSource(targets.cjs));
  writeFileSync(join(consumerDir, 'check-bundler.ts'), consumerSource(targets.esm));
  const modes = [
    {
      label: 'moduleResolution NodeNext (ESM .mts and CommonJS .cts)',
      file: 'tsconfig.nodenext.json',
      config: { module: 'NodeNext', moduleResolution: 'NodeNext' },
      files: ['check-esm.mts', 'check-cjs.cts'],
    },
    {
      label: 'moduleResolution Bundler',
      file: 'tsconfig.bundler.json',
      config: { module: 'ESNext', moduleResolution: 'Bundler' },
      files: ['check-bundler.ts'],
    },
  ];
  const problems = [];
  for (const mode of modes) {
    const tsconfig = { compilerOptions: { ...COMMON_OPTIONS, ...mode.config }, files: mode.files };
    writeFileSync(join(consumerDir, mode.file), `${JSON.stringify(tsconfig, null, 2)}\n`);
    const result = await run(process.execPath, [tscPath(), '-p', mode.file], {
      cwd: consumerDir,
      timeoutMs: 120_000,
    });
    if (result.code !== 0) problems.push(`types do not check under ${mode.label}:\n${tail(result, 20)}`);
  }
  return problems;
}

const DECLARATION_FILE = /\.d\.[cm]?ts$/;
const REFERENCE_TYPES = /\/\/\/\s*<reference\s+types=['"]([^'"]+)['"]/g;
const IMPORT_PATTERNS = [
  /\bfrom\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\s+['"]([^'"]+)['"]/g,
];

/**
 * Import specifiers of a declaration file, comments left out (doc comments often show example imports).
 * @param {string} text
 * @returns {string[]}
 */
function declarationSpecifiers(text) {
  const found = [...text.matchAll(REFERENCE_TYPES)].map((m) => /** @type {string} */ (m[1]));
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of code.matchAll(pattern)) found.push(/** @type {string} */ (match[1]));
  }
  return found;
}

/**
 * @param {string} specifier
 * @returns {string} the package name a bare specifier belongs to
 */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : /** @type {string} */ (parts[0]);
}

/**
 * Bare imports in the package's declaration files that a consumer cannot resolve: a package that is not
 * a dependency or peer (a devDependency or a workspace-only package leaking through the types), or one
 * that is declared but did not get installed.
 * @param {string} packageDir  the installed package
 * @param {Record<string, unknown>} manifest
 * @param {string} consumerDir
 * @returns {string[]}
 */
export function declarationImportProblems(packageDir, manifest, consumerDir) {
  const self = String(manifest['name']);
  const declared = new Set(['node', self]);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const deps = manifest[field];
    if (typeof deps === 'object' && deps !== null) for (const name of Object.keys(deps)) declared.add(name);
  }
  const builtins = new Set(builtinModules);
  /** @type {Set<string>} */
  const problems = new Set();
  for (const file of declarationFiles(packageDir)) {
    for (const specifier of declarationSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) continue;
      if (builtins.has(specifier) || builtins.has(packageNameOf(specifier))) continue;
      const name = packageNameOf(specifier);
      const where = relative(packageDir, file);
      const typesName = name.startsWith('@')
        ? `@types/${name.slice(1).replace('/', '__')}`
        : `@types/${name}`;
      if (!declared.has(name) && !declared.has(typesName)) {
        problems.add(
          `${self}'s types (${where}) import '${specifier}', which is not a dependency or peer dependency: consumers cannot resolve it`,
        );
      } else if (
        !existsSync(join(consumerDir, 'node_modules', name)) &&
        !existsSync(join(consumerDir, 'node_modules', typesName))
      ) {
        problems.add(`${self}'s types (${where}) import '${specifier}', which npm did not install`);
      }
    }
  }
  return [...problems];
}

/**
 * @param {string} dir
 * @returns {string[]}
 */
function declarationFiles(dir) {
  /** @type {string[]} */
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...declarationFiles(path));
    else if (DECLARATION_FILE.test(entry.name)) files.push(path);
  }
  return files;
}
