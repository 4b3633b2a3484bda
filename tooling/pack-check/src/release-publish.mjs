// @ts-check
/**
 * `npm publish --dry-run` without the network: npm is told `--offline`, its registry (default and the
 * package's scope) is a loopback server that records every request it gets, and it reads an empty user
 * config and a fresh cache, so no token and no cached packument of ours is involved. npm 11 asks the
 * registry whether the version already exists even in a dry run unless it is offline; the recorder is
 * what proves it did not.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { npmEnvironment, run, tail } from './run.mjs';

/**
 * @typedef {object} RegistrySentinel
 * @property {string} url
 * @property {string[]} requests  `METHOD path` of every request received
 * @property {() => Promise<void>} close
 */

/** @returns {Promise<RegistrySentinel>} */
export function startRegistrySentinel() {
  /** @type {string[]} */
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    // 503 so that a request, if npm made one, could never be mistaken for a successful publish.
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end('{"error":"release dry run: no registry"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * @typedef {object} DryRunResult
 * @property {boolean} ok
 * @property {string} detail      npm's last lines when it failed
 * @property {string | undefined} id   `name@version` npm said it would publish
 * @property {string | undefined} access  the access npm would publish with (`public`, `restricted`, `default`)
 */

/**
 * @param {string} tarball
 * @param {{ registry: string; workDir: string; scope?: string }} options  workDir: an empty folder of ours
 * @returns {Promise<DryRunResult>}
 */
export async function publishDryRun(tarball, options) {
  const userconfig = join(options.workDir, 'empty-npmrc');
  writeFileSync(userconfig, '');
  const args = [
    'publish',
    tarball,
    '--dry-run',
    '--offline',
    `--registry=${options.registry}`,
    ...(options.scope ? [`--${options.scope}:registry=${options.registry}`] : []),
    `--userconfig=${userconfig}`,
    `--cache=${join(options.workDir, 'npm-cache')}`,
    '--no-audit',
    '--no-fund',
    // npm's update check asks the registry for the npm package, offline or not.
    '--no-update-notifier',
  ];
  const env = npmEnvironment(process.env);
  // Our own settings must win over any registry or token the environment carries.
  for (const key of Object.keys(env)) if (/^npm_config_/i.test(key)) delete env[key];
  const result = await run('npm', args, { cwd: options.workDir, env, timeoutMs: 120_000 });
  const output = `${result.stderr}\n${result.stdout}`;
  const id = /^\+ (\S+@\S+)\s*$/m.exec(output)?.[1];
  const access = /with tag \S+ and (\S+) access/.exec(output)?.[1];
  return { ok: result.code === 0 && id !== undefined, detail: tail(result, 8), id, access };
}
