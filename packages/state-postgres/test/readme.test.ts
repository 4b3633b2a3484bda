import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { avail, suiteName, usePostgres } from './pg-fixture.js';

const packageDir = fileURLToPath(new URL('../', import.meta.url));

describe.skipIf(!avail.ok)(suiteName('README example'), () => {
  const fixture = usePostgres();

  it('runs verbatim against a real PostgreSQL', async () => {
    const readme = await readFile(`${packageDir}README.md`, 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toContain('LeaseManager');
    // Inside the package so `pg` resolves from its node_modules; the hooks map the package name to src.
    const file = `${packageDir}test/fixtures/readme-example.tmp.mts`;
    await writeFile(file, code ?? '');
    try {
      const url = await fixture.freshUrl();
      const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
        (resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', `${packageDir}test/fixtures/register-ts.mjs`, '--no-warnings', file],
            { env: { ...process.env, HERMES_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => {
            stdout += String(d);
          });
          child.stderr.on('data', (d) => {
            stderr += String(d);
          });
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`README example did not finish in 20 s: ${stdout} ${stderr}`));
          }, 20_000);
          child.once('exit', (exitCode) => {
            clearTimeout(timer);
            resolve({ code: exitCode, stdout, stderr });
          });
        },
      );
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const check = await fixture.pool(url);
      const rows = await check.query("SELECT owner FROM hermes_leases WHERE name = 'telegram:polling'");
      expect(rows.rows).toHaveLength(1);
    } finally {
      await rm(file, { force: true });
    }
  });
});
