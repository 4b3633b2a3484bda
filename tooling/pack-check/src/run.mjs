// @ts-check
import { execFile } from 'node:child_process';

/**
 * @typedef {object} RunResult
 * @property {number | null} code     null when the process was killed (timeout)
 * @property {string} stdout
 * @property {string} stderr
 * @property {boolean} timedOut
 */

/**
 * Runs a command without a shell (arguments are never re-parsed) and never rejects: the caller turns a
 * non-zero exit into a failure message that names the package.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }} options
 * @returns {Promise<RunResult>}
 */
export function run(command, args, options) {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const timedOut = error !== null && error.killed === true;
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr, timedOut });
      },
    );
  });
}

/**
 * The last lines of a child's output: enough to see the error, short enough to read in a test log.
 * @param {RunResult} result
 * @param {number} [lines]
 * @returns {string}
 */
export function tail(result, lines = 12) {
  const text = `${result.stderr}\n${result.stdout}`.trim();
  const all = text.split('\n').filter((l) => !/^npm warn Unknown (user|project) config/.test(l));
  return all.slice(-lines).join('\n');
}

/**
 * The environment for npm in the consumer folder: ours minus what pnpm injected for its own scripts
 * (npm would read `npm_config_*` as its own settings), keeping registry, cache and proxy settings.
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
export function npmEnvironment(env) {
  /** @type {NodeJS.ProcessEnv} */
  const clean = {};
  for (const [key, value] of Object.entries(env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_config_')) {
      if (/registry|cache|userconfig|globalconfig|proxy|cafile|strict_ssl|_auth/.test(lower))
        clean[key] = value;
      continue;
    }
    if (lower.startsWith('npm_') || lower.startsWith('pnpm_') || key === 'INIT_CWD') continue;
    clean[key] = value;
  }
  return clean;
}
