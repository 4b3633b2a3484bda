// @ts-check
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateAdapter, ScaffoldError } from './generate.mjs';
import { nextSteps } from './next-steps.mjs';
import { findWorkspaceRoot } from './workspace.mjs';

const USAGE = `Usage: pnpm create-adapter <name> [--dir <path>] [--env-prefix <PREFIX>] [--label "<Label>"]

  <name>          platform name: lowercase letters, digits and dashes (e.g. rocketchat, google-chat)
  --dir           package folder to create (default packages/adapter-<name>); must not exist or be empty
  --env-prefix    env var prefix when the Python Hermes one differs from the name (e.g. HASS for home-assistant)
  --label         display name (default: the name in Title Case)
  --no-format     skip running biome's formatter over the new files`;

/**
 * @param {string[]} argv
 * @param {{ cwd: string; root?: string; out?: (line: string) => void; err?: (line: string) => void }} io
 *   `cwd` resolves a relative --dir: where the user typed the command (pnpm passes it as INIT_CWD)
 * @returns {number} exit code
 */
export function main(argv, io) {
  const out = io.out ?? ((line) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line) => process.stderr.write(`${line}\n`));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        'env-prefix': { type: 'string' },
        label: { type: 'string' },
        'no-format': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    err(`create-adapter: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    out(USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    err(`create-adapter: expected exactly one platform name, got ${parsed.positionals.length}\n\n${USAGE}`);
    return 2;
  }
  const root = io.root ?? findWorkspaceRoot();
  const dirArg = parsed.values.dir;
  try {
    const result = generateAdapter({
      name: /** @type {string} */ (parsed.positionals[0]),
      root,
      dir: dirArg === undefined ? undefined : isAbsolute(dirArg) ? dirArg : resolve(io.cwd, dirArg),
      envPrefix: parsed.values['env-prefix'],
      label: parsed.values.label,
      format: !parsed.values['no-format'],
    });
    out(nextSteps(result.names, { root, dir: result.dir, formatProblem: result.formatProblem }));
    return 0;
  } catch (error) {
    if (error instanceof ScaffoldError) {
      err(`create-adapter: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
