import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWecomFakeServer, type WecomFakeServer } from '@hermes/adapter-wecom/testing';
import { type FakeOpenAI, startFakeOpenAI } from '@hermes/agent/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, gatewayEnv, hermes, hermesAsync, startGatewayProcess } from './gateway-process.js';

let home: string;
let wecom: WecomFakeServer;
let model: FakeOpenAI;
beforeAll(async () => {
  wecom = await startWecomFakeServer();
  model = await startFakeOpenAI({ models: ['fake-model', 'other-model'] });
});
afterAll(async () => {
  await Promise.all([wecom?.close(), model?.close()]);
});
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'hermes-doctor-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('hermes doctor', () => {
  it('names a mistyped config key and the file, and exits non-zero', () => {
    writeFileSync(join(home, 'config.yaml'), 'group_sesions_per_user: true\n');
    const r = hermes(['doctor'], gatewayEnv(home, {}));
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(
      `${join(home, 'config.yaml')}: group_sesions_per_user: unknown key (did you mean "group_sessions_per_user"?)`,
    );
  });

  it('runs the enabled adapter probe: a wrong WeCom secret is reported with the fix', async () => {
    const env = gatewayEnv(home, {
      WECOM_BOT_ID: wecom.botId,
      WECOM_SECRET: 'wrong-secret',
      WECOM_WEBSOCKET_URL: wecom.url,
    });
    const r = await hermesAsync(['doctor'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ wecom: .*40013/);
    expect(r.stdout).not.toContain('wrong-secret');
  });

  const wecomEnv = () => ({
    WECOM_BOT_ID: wecom.botId,
    WECOM_SECRET: wecom.secret,
    WECOM_WEBSOCKET_URL: wecom.url,
    WECOM_ALLOWED_USERS: 'u1',
  });

  it('counts a missing model as a problem and names the file to put it in', async () => {
    const r = await hermesAsync(['doctor'], gatewayEnv(home, wecomEnv()));
    expect(r.stdout).toContain('✓ wecom');
    expect(r.stdout).toContain(
      `✗ Model: not configured, so every reply says so. Put OPENAI_BASE_URL, OPENAI_API_KEY and HERMES_MODEL in ${join(home, '.env')}`,
    );
    expect(r.code).toBe(1);
  });

  it('passes with working credentials and a model the endpoint lists', async () => {
    const env = gatewayEnv(home, {
      ...wecomEnv(),
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'sk-doctor',
      HERMES_MODEL: 'fake-model',
    });
    const r = await hermesAsync(['doctor'], env);
    expect(r.stdout).toContain(`✓ Model: fake-model (${model.baseURL} answers and lists fake-model)`);
    expect(r.stdout).toContain('No problems found.');
    expect(r.code).toBe(0);
  });

  it('names the models an endpoint offers when the configured one is not among them', async () => {
    const env = gatewayEnv(home, {
      ...wecomEnv(),
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'sk-doctor',
      HERMES_MODEL: 'gpt-typo',
    });
    const r = await hermesAsync(['doctor'], env);
    expect(r.stdout).toContain(
      'does not offer the model "gpt-typo" (it lists fake-model, other-model): set HERMES_MODEL',
    );
    expect(r.code).toBe(1);
  });

  it('knows a running gateway holds its own port, and does not call that a problem', async () => {
    const env = gatewayEnv(home, {
      API_SERVER_ENABLED: 'true',
      API_SERVER_PORT: String(await freePort()),
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'sk-doctor',
      HERMES_MODEL: 'fake-model',
    });
    const gateway = startGatewayProcess(env);
    try {
      await gateway.waitForLog(/gateway running/, 30_000);
      const r = await hermesAsync(['doctor'], env);
      expect(r.stdout).toMatch(/✓ api_server: listening in the running gateway \(pid \d+\)/);
      expect(r.stdout).toContain('No problems found.');
      expect(r.code).toBe(0);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });
});
