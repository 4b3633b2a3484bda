// @ts-check
/** Reading a manifest's public entry points, and what each must at least export. */

/**
 * The import specifiers a consumer can use: `name` for ".", `name/testing` for "./testing". Patterns
 * ("./*") and "./package.json" are skipped: there is nothing to import by name.
 * @param {string} name
 * @param {Record<string, unknown>} manifest
 * @returns {string[]}
 */
export function importSpecifiers(name, manifest) {
  const exportsField = manifest['exports'];
  if (exportsField === undefined || exportsField === null) {
    return typeof manifest['main'] === 'string' || typeof manifest['module'] === 'string' ? [name] : [];
  }
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return [name];
  if (typeof exportsField !== 'object') return [];
  const keys = Object.keys(exportsField);
  if (!keys.some((k) => k.startsWith('.'))) return [name];
  return keys
    .filter((k) => k.startsWith('.') && !k.includes('*') && k !== './package.json')
    .map((k) => (k === '.' ? name : `${name}/${k.slice(2)}`));
}

/**
 * Every file the manifest points at (main, module, types, bin and each condition of each export): all
 * must be inside the tarball, or some consumer gets "cannot find module".
 * @param {Record<string, unknown>} manifest
 * @returns {string[]}
 */
export function referencedFiles(manifest) {
  /** @type {Set<string>} */
  const files = new Set();
  /** @param {unknown} value */
  const collect = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) files.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) collect(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const item of Object.values(value)) collect(item);
    }
  };
  for (const field of ['main', 'module', 'types', 'typings']) {
    const value = manifest[field];
    if (typeof value === 'string') files.add(value.startsWith('./') ? value : `./${value}`);
  }
  collect(manifest['exports']);
  const bin = manifest['bin'];
  if (typeof bin === 'string') files.add(bin.startsWith('./') ? bin : `./${bin}`);
  else if (typeof bin === 'object' && bin !== null) {
    for (const value of Object.values(bin))
      if (typeof value === 'string') files.add(value.startsWith('./') ? value : `./${value}`);
  }
  return [...files].sort();
}

/**
 * Named exports a specifier must have beyond "at least one": the contract of the architecture's section 4.
 * Adapters export a `create<Platform>Adapter` factory in both module systems; core exports the error type and
 * the env helpers every adapter uses. The testkit's conformance suite is ESM-only by nature (vitest cannot be
 * required), so CommonJS only has to offer its fake-server toolkit. Anything else only has to export something.
 * @param {string} specifier
 * @param {'esm' | 'cjs'} mode
 * @returns {Array<string | RegExp>}
 */
export function requiredExports(specifier, mode) {
  if (specifier === '@hermes/adapter-core') {
    return ['AdapterError', 'toAdapterError', 'createMemoryLogger', 'envFlag', 'envList'];
  }
  if (specifier === '@hermes/adapter-testkit') {
    return mode === 'esm'
      ? ['runConformanceSuite', 'createTestContext', 'startFakeServer']
      : ['startFakeServer'];
  }
  if (/^@hermes\/adapter-[a-z0-9-]+$/.test(specifier)) return [/^create[A-Z][A-Za-z0-9]*Adapter$/];
  return [];
}

/**
 * @param {string[]} names
 * @param {Array<string | RegExp>} required
 * @returns {string[]} the requirements no name satisfies, described
 */
export function missingExports(names, required) {
  return required
    .filter((want) => !names.some((n) => (typeof want === 'string' ? n === want : want.test(n))))
    .map((want) => (typeof want === 'string' ? want : `a name matching ${want}`));
}
