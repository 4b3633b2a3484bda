import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWecomFakeServer, type WecomFakeServer } from '@hermes/adapter-wecom/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayEnv, hermes, hermesAsync } from './gateway-process.js';

let home: string;
let wecom: WecomFakeServer;
beforeAll(async () => {
  wecom = await startWecomFakeServer();
});
afterAll(async () => {
  await wecom?.close();
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

  it('passes with working credentials and says the model is not configured', async () => {
    const env = gatewayEnv(home, {
      WECOM_BOT_ID: wecom.botId,
      WECOM_SECRET: wecom.secret,
      WECOM_WEBSOCKET_URL: wecom.url,
      WECOM_ALLOWED_USERS: 'u1',
    });
    const r = await hermesAsync(['doctor'], env);
    expect(r.stdout).toContain('✓ wecom');
    expect(r.stdout).toContain('Model: not configured');
    expect(r.code).toBe(0);
  });
});
