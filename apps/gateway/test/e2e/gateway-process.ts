import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeOpenAI, startFakeOpenAI } from '@hermes/agent/testing';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** The environment a test gateway runs with: nothing of the developer's own ~/.hermes or keys leaks in. */
export function gatewayEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, HERMES_HOME: home, HERMES_LOG_LEVEL: 'debug', ...extra };
}

export interface ApiWebhookHome {
  home: string;
  fake: FakeOpenAI;
  apiPort: number;
  webhookPort: number;
  env: NodeJS.ProcessEnv;
}

/**
 * A fresh HERMES_HOME with `config.yaml`, the fake model, and the env of a gateway serving the API server
 * and the webhook adapter on free loopback ports (the caller starts the process and cleans up).
 */
export async function prepareApiWebhookHome(o: {
  prefix: string;
  configYaml: readonly string[];
  env?: Record<string, string>;
}): Promise<ApiWebhookHome> {
  const home = mkdtempSync(join(tmpdir(), o.prefix));
  const fake = await startFakeOpenAI();
  const apiPort = await freePort();
  const webhookPort = await freePort();
  writeFileSync(join(home, 'config.yaml'), [...o.configYaml, ''].join('\n'));
  const env = gatewayEnv(home, {
    API_SERVER_ENABLED: 'true',
    API_SERVER_PORT: String(apiPort),
    WEBHOOK_ENABLED: 'true',
    WEBHOOK_PORT: String(webhookPort),
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-test-e2e-key-123456',
    HERMES_MODEL: 'fake-model',
    ...o.env,
  });
  return { home, fake, apiPort, webhookPort, env };
}

/** `hermes <args>` as a one-shot command (pairing, status, doctor). */
export function hermes(
  args: string[],
  env: NodeJS.ProcessEnv,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `hermes <args>` without blocking this process: needed when a fake platform the command talks to lives
 * in the test process itself (spawnSync would freeze its event loop).
 */
export function hermesAsync(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export interface GatewayProcess {
  child: ChildProcess;
  output(): string;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait for the exit code (bounded). */
  stop(timeoutMs?: number): Promise<number | null>;
  kill9(): Promise<void>;
}

/**
 * Starts the real `hermes gateway` process (built dist/cli.js, or another copy of it as `cli`, in `cwd`),
 * collecting its log lines.
 */
export function startGatewayProcess(
  env: NodeJS.ProcessEnv,
  o: { cli?: string; cwd?: string } = {},
): GatewayProcess {
  const child = spawn(process.execPath, [o.cli ?? CLI, 'gateway'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(o.cwd ? { cwd: o.cwd } : {}),
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async waitForLog(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = pattern.exec(out);
        if (m) return m[0];
        if (child.exitCode !== null)
          throw new Error(`gateway exited (${child.exitCode}) before logging ${pattern}:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`timed out waiting for ${pattern} in the gateway log:\n${out}`);
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Polls `check` until it returns something truthy; on timeout the error carries the gateway's last log
 * lines, which is where the reason usually is.
 */
export async function until<T>(
  gateway: GatewayProcess | undefined,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${gateway?.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
