import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI } from '@hermes/agent/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  freePort,
  type GatewayProcess,
  gatewayEnv,
  hermes,
  hermesAsync,
  startGatewayProcess,
} from './gateway-process.js';

/** EX_CONFIG: what the gateway exits with when only the operator can fix the problem. */
const EXIT_CONFIG = 78;
const STACK_FRAME = /^\s+at .+[:(]/m;

let home: string;
let gateway: GatewayProcess | undefined;
const blockers: Server[] = [];
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'hermes-startup-'));
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const s of blockers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
  rmSync(home, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** `hermes gateway` that is expected to refuse to start: bounded, and killed if it runs on instead. */
async function gatewayRefuses(env: NodeJS.ProcessEnv) {
  const r = await hermesAsync(['gateway'], env, 20_000);
  const text = r.stdout + r.stderr;
  expect(text).not.toMatch(STACK_FRAME);
  expect(existsSync(join(home, 'gateway.pid'))).toBe(false);
  return { ...r, text };
}

describe('state.db that is not a database', () => {
  it('the gateway exits with the file, the code and the fix, no stack trace; doctor finds it', async () => {
    const db = join(home, 'state.db');
    writeFileSync(db, 'not a database, just some text saved over it\n'.repeat(40), { mode: 0o600 });
    const env = gatewayEnv(home, { API_SERVER_PORT: String(await freePort()) });
    const r = await gatewayRefuses(env);
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain(
      `hermes: state.db at ${db} is not a SQLite database or is damaged (SQLITE_NOTADB): move it aside (mv ${db} ${db}.broken) and start again; sessions in it will be lost`,
    );
    expect(r.text).not.toContain('SqliteError');
    const d = await hermesAsync(['doctor'], env);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`✗ state.db at ${db} is not a SQLite database or is damaged (SQLITE_NOTADB)`);
    expect(d.stdout).not.toContain('No problems found');
  });
});

describe('HERMES_HOME pointing at a file', () => {
  it('the gateway and doctor both say so, with the fix, and exit non-zero', () => {
    const file = join(home, 'hermes-home-is-a-file');
    writeFileSync(file, 'x');
    const env = gatewayEnv(home, { HERMES_HOME: file });
    const message = `HERMES_HOME=${file} is a file, not a directory: point it at a directory`;
    const g = hermes(['gateway'], env);
    expect(g.code).toBe(EXIT_CONFIG);
    expect(g.stderr).toContain(message);
    expect(g.stdout + g.stderr).not.toMatch(STACK_FRAME);
    expect(g.stdout + g.stderr).not.toContain('EEXIST');
    const d = hermes(['doctor'], env);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`✗ ${message}`);
  });
});

describe('.env with bad lines', () => {
  it('the gateway refuses to start, listing each bad line with the fix, never echoing the line; doctor lists them', async () => {
    const envFile = join(home, '.env');
    writeFileSync(
      envFile,
      [
        `API_SERVER_PORT=${await freePort()}`,
        'sk-pasted-secret-0123456789',
        'JUNK=\u0000\u0001\u0002binary',
        'GOOD=1',
        'OPENAI_API_KEY="sk-unclosed-quote-value',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const r = await gatewayRefuses(gatewayEnv(home, {}));
    expect(r.code).toBe(EXIT_CONFIG);
    const expected = [
      `${envFile} line 2: is not a KEY=value line (there is no "="): add "=value", comment it out with "#", or delete it`,
      `${envFile} line 3: contains a control character (0x00 at column 6)`,
      `${envFile} line 5: OPENAI_API_KEY: the " quote opened here is never closed: add the closing " at the end of the value`,
    ];
    for (const line of expected) expect(r.stderr).toContain(line);
    expect(r.stderr).toContain('the configuration has 3 problem(s)');
    for (const secret of ['sk-pasted-secret', 'sk-unclosed-quote']) expect(r.text).not.toContain(secret);
    const d = hermes(['doctor'], gatewayEnv(home, {}));
    expect(d.code).toBe(1);
    for (const line of expected) expect(d.stdout).toContain(`✗ ${line}`);
    expect(d.stdout).not.toContain('sk-pasted-secret');
  });
});

describe('file permissions', () => {
  it('gateway.log is 0600 in a 0700 logs dir (tightened when older runs left them open), state.db 0600; a group-readable .env is warned about at start and flagged by doctor', async () => {
    const envFile = join(home, '.env');
    const logsDir = join(home, 'logs');
    const logFile = join(logsDir, 'gateway.log');
    const port = await freePort();
    writeFileSync(envFile, `API_SERVER_PORT=${port}\nGATEWAY_ALLOWED_USERS=someone\n`);
    chmodSync(envFile, 0o644);
    const fix = `run chmod 600 ${envFile}`;

    const d = hermes(['doctor'], gatewayEnv(home, {}));
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`✗ .env at ${envFile} is readable by other users (mode 0644): ${fix}`);

    gateway = startGatewayProcess(gatewayEnv(home, {}));
    await gateway.waitForLog(/gateway running/);
    expect(gateway.output()).toContain(`.env at ${envFile} is readable by other users (mode 0644): ${fix}`);
    expect(mode(logFile)).toBe(0o600);
    expect(mode(logsDir)).toBe(0o700);
    for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) expect(mode(join(home, f))).toBe(0o600);
    expect(await gateway.stop()).toBe(0);

    // Files an older version left world-readable are tightened on the next start.
    chmodSync(logFile, 0o644);
    chmodSync(logsDir, 0o755);
    chmodSync(join(home, 'state.db'), 0o644);
    gateway = startGatewayProcess(gatewayEnv(home, {}));
    await gateway.waitForLog(/gateway running/);
    expect(mode(logFile)).toBe(0o600);
    expect(mode(logsDir)).toBe(0o700);
    expect(mode(join(home, 'state.db'))).toBe(0o600);
    expect(await gateway.stop()).toBe(0);

    chmodSync(envFile, 0o600);
    // A model is part of a working setup now: doctor counts a missing one as a problem.
    const model = await startFakeOpenAI();
    try {
      const fixed = await hermesAsync(
        ['doctor'],
        gatewayEnv(home, {
          OPENAI_BASE_URL: model.baseURL,
          OPENAI_API_KEY: 'sk-doctor',
          HERMES_MODEL: 'fake-model',
        }),
      );
      expect(fixed.stdout).not.toContain('readable by other users');
      expect(fixed.stdout).toContain('• state.db: ok');
      expect(fixed.code, fixed.stdout).toBe(0);
    } finally {
      await model.close();
    }
  });
});

describe('platforms that cannot run', () => {
  it('a platform config error with nothing else enabled: the gateway exits naming it; doctor finds it', async () => {
    const env = gatewayEnv(home, { API_SERVER_ENABLED: 'true', API_SERVER_PORT: 'eighty' });
    const r = await gatewayRefuses(env);
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain('hermes: no platform can run, so the gateway stops.');
    expect(r.stderr).toContain('  - api_server: API_SERVER_PORT must be a number, got "eighty"');
    const d = hermes(['doctor'], env);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain('✗ api_server: API_SERVER_PORT must be a number');
  });

  it('a refused bind is not retried every 30 s: the gateway exits naming it and the fix; doctor finds it', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737), never an address of this machine: the bind fails locally.
    const key = 'sk-e2e-bind-key-123456';
    const env = gatewayEnv(home, {
      API_SERVER_HOST: '192.0.2.1',
      API_SERVER_PORT: String(await freePort()),
      API_SERVER_KEY: key,
    });
    const r = await gatewayRefuses(env);
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.stderr).toMatch(
      / {2}- api_server: \[api_server\] cannot listen on 192\.0\.2\.1:\d+: .*EADDRNOTAVAIL.*\(config_invalid\)\. Fix: Check API_SERVER_HOST/,
    );
    expect(r.text).not.toContain('platform will be restarted');
    expect(r.text).not.toContain('gateway running');
    expect(r.text).not.toContain(key);
    const d = await hermesAsync(['doctor'], env);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/✗ api_server: .*cannot listen on 192\.0\.2\.1/);
    // The fix is printed once, not twice.
    expect(d.stdout.split('Check API_SERVER_HOST').length).toBe(2);
  });

  it('one platform failing for good stops only that one, with a clear line and no retry; the gateway serves on', async () => {
    const apiPort = await freePort();
    writeFileSync(
      join(home, 'config.yaml'),
      'platforms:\n  webhook:\n    extra:\n      routes:\n        ci:\n          secret: route-secret-123\n          prompt: "CI: {status}"\n',
    );
    const env = gatewayEnv(home, {
      API_SERVER_ENABLED: 'true',
      API_SERVER_PORT: String(apiPort),
      WEBHOOK_ENABLED: 'true',
      WEBHOOK_HOST: '192.0.2.1',
      WEBHOOK_PORT: String(await freePort()),
    });
    gateway = startGatewayProcess(env);
    await gateway.waitForLog(/gateway running/);
    const out = gateway.output();
    expect(out).toMatch(/"platform":"webhook".*"msg":"platform stopped: this error is not retried/);
    expect(out).not.toMatch(/"platform":"webhook"[^\n]*"msg":"platform will be restarted"/);
    const res = await fetch(`http://127.0.0.1:${apiPort}/health`);
    expect(res.status).toBe(200);
    const s = hermes(['status'], env);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/webhook: failed — .*not retried: fix it and restart the gateway/);
    expect(s.stdout).toContain('api_server: online');
    expect(await gateway.stop()).toBe(0);
  });

  it('a port in use is retryable: the gateway keeps running with the backoff', async () => {
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const env = gatewayEnv(home, { API_SERVER_PORT: String(port) });
    gateway = startGatewayProcess(env);
    await gateway.waitForLog(/gateway running/);
    expect(gateway.output()).toMatch(
      /"platform":"api_server".*"inMs":30000.*EADDRINUSE.*platform will be restarted/,
    );
    // Still up: `hermes status` finds it running (the check that ends a gateway with nothing left runs every 100 ms).
    const s = await hermesAsync(['status'], env);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('api_server: failed');
    expect(gateway.child.exitCode).toBeNull();
    expect(await gateway.stop()).toBe(0);
  });
});
