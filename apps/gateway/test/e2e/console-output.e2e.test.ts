import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { freePort, gatewayEnv, hermes, startGatewayProcess } from './gateway-process.js';

let home: string | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

it('a person at a terminal gets readable lines and a banner saying where things are and what to do next', async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-console-'));
  const port = await freePort();
  const gateway = startGatewayProcess(
    gatewayEnv(home, {
      API_SERVER_PORT: String(port),
      HERMES_LOG_FORMAT: 'pretty',
      HERMES_LOG_LEVEL: 'info',
    }),
  );
  try {
    await gateway.waitForLog(/Next: `hermes doctor`/, 30_000);
    const out = gateway.output();
    expect(out).toMatch(/INFO: gateway running/);
    expect(out.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    expect(out).toContain(`config    ${join(home, 'config.yaml')} (not created yet)`);
    expect(out).toContain(
      `model     not configured: put OPENAI_BASE_URL, OPENAI_API_KEY and HERMES_MODEL in ${join(home, '.env')}`,
    );
    expect(out).toContain(`api_server online  http://127.0.0.1:${port}/`);
    expect(out).toContain(
      `Talk to it: open http://127.0.0.1:${port}/ in a browser, or point any OpenAI client at http://127.0.0.1:${port}/v1`,
    );
  } finally {
    expect(await gateway.stop()).toBe(0);
  }
  // The log file stays JSON, one key per field (an adapter's child logger and its fields both carry `platform`).
  const lines = readFileSync(join(home, 'logs', 'gateway.log'), 'utf8')
    .trim()
    .split('\n');
  for (const line of lines) {
    JSON.parse(line);
    expect(line.match(/"platform":/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
  }
  expect(lines.some((l) => l.includes('"platform":"api_server"'))).toBe(true);
});

it('hermes --version prints the version', () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-version-'));
  const r = hermes(['--version'], gatewayEnv(home, {}));
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});
