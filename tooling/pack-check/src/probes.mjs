// @ts-check
/** Loading the installed package the two ways Node can: ESM import and CommonJS require. */
import { run, tail } from './run.mjs';

/**
 * @typedef {{ ok: true; names: string[] } | { ok: false; error: string }} LoadOutcome
 */

// Each specifier is loaded on its own so one broken subpath does not hide the state of the others.
// The script ends by itself: a package that keeps the event loop busy on import hits the timeout.
const MARKER = '\n@@pack-check-result@@';
const ESM_PROBE = `
const MARKER = ${JSON.stringify(MARKER)};
const specs = JSON.parse(process.argv[1]);
const out = {};
for (const spec of specs) {
  try {
    const m = await import(spec);
    out[spec] = { ok: true, names: Object.keys(m).filter((k) => k !== 'default').sort() };
  } catch (error) {
    out[spec] = { ok: false, error: String((error && error.stack) || error).split('\\n').slice(0, 6).join('\\n') };
  }
}
process.stdout.write(MARKER + JSON.stringify(out));
`;

const CJS_PROBE = `
const MARKER = ${JSON.stringify(MARKER)};
const specs = JSON.parse(process.argv[1]);
const out = {};
for (const spec of specs) {
  try {
    const m = require(spec);
    out[spec] = { ok: true, names: Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort() };
  } catch (error) {
    out[spec] = { ok: false, error: String((error && error.stack) || error).split('\\n').slice(0, 6).join('\\n') };
  }
}
process.stdout.write(MARKER + JSON.stringify(out));
`;

/**
 * @param {'esm' | 'cjs'} mode
 * @param {string[]} specifiers
 * @param {string} consumerDir
 * @returns {Promise<Record<string, LoadOutcome>>}
 */
export async function loadAll(mode, specifiers, consumerDir) {
  const args =
    mode === 'esm'
      ? ['--input-type=module', '-e', ESM_PROBE, JSON.stringify(specifiers)]
      : ['--input-type=commonjs', '-e', CJS_PROBE, JSON.stringify(specifiers)];
  const result = await run(process.execPath, args, { cwd: consumerDir, timeoutMs: 30_000 });
  /** @type {Record<string, LoadOutcome>} */
  const outcomes = {};
  const at = result.stdout.lastIndexOf(MARKER);
  if (result.code === 0 && at >= 0) return JSON.parse(result.stdout.slice(at + MARKER.length));
  const why = result.timedOut
    ? 'did not finish within 30 s: something keeps the event loop busy after import (a timer or socket opened at load time)'
    : `the ${mode === 'esm' ? 'ESM' : 'CommonJS'} probe exited with ${result.code}:\n${tail(result)}`;
  for (const spec of specifiers) outcomes[spec] = { ok: false, error: why };
  return outcomes;
}
