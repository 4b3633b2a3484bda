import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { type FakeTelegram, startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { startWecomFakeServer } from '@hermes/adapter-wecom/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeQr } from '../../src/cli/setup/qr/qr-code.js';
import { renderQrForTerminal } from '../../src/cli/setup/qr/render-terminal.js';
import { freePort, gatewayEnv, hermesAsync } from './gateway-process.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');
const DOWN = '\x1b[B';
const ENTER = '\r';

let home: string;
let telegram: FakeTelegram;
beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-setup-'));
  telegram = await startFakeTelegram();
});
afterEach(async () => {
  await telegram.close();
  rmSync(home, { recursive: true, force: true });
});

/** The wizard in a real pseudo-terminal (util-linux `script`), driven by keystrokes as a person would. */
function inTerminal(env: NodeJS.ProcessEnv) {
  const command = `${process.execPath} ${CLI} gateway setup`;
  const child: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...env, TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  // Waits look only at what appeared after the last keystrokes: earlier lines may hold the same words.
  let since = 0;
  child.stdout?.on('data', (d: Buffer) => {
    screen += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const plain = () => stripVTControlCharacters(screen);
  return {
    plain,
    async waitFor(text: string, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stripVTControlCharacters(screen.slice(since)).includes(text)) {
        if (child.exitCode !== null) throw new Error(`the wizard exited before "${text}":\n${plain()}`);
        if (Date.now() > deadline) throw new Error(`no "${text}" on the screen:\n${plain().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    type(keys: string) {
      since = screen.length;
      child.stdin?.write(keys);
    },
    async exit(timeoutMs = 15_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** How many steps down the platform menu a platform is, from the list the wizard prints first. */
function menuIndex(screen: string, platform: string): number {
  const listed = screen
    .split('\n')
    .map((l) => /^\s{2}([a-z_]+)\s{2,}/.exec(l)?.[1])
    .filter((p): p is string => Boolean(p));
  const index = listed.indexOf(platform);
  if (index < 0) throw new Error(`${platform} is not in the menu:\n${screen}`);
  return index;
}

describe('hermes gateway setup', () => {
  it('configures Telegram against its fake in a pseudo-terminal, keeping the rest of .env', async () => {
    const envFile = join(home, '.env');
    writeFileSync(envFile, '# my keys\nOPENAI_API_KEY=sk-keep-me\n', { mode: 0o600 });
    const t = inTerminal(gatewayEnv(home, { TELEGRAM_API_ROOT: telegram.apiRoot }));
    // The key help is drawn once the menu reads keys.
    await t.waitFor('navigate');
    const listed = t
      .plain()
      .split('\n')
      .map((l) => /^\s{2}([a-z_]+)\s{2,}/.exec(l)?.[1])
      .filter((p): p is string => Boolean(p));
    const steps = listed.indexOf('telegram');
    expect(steps).toBeGreaterThanOrEqual(0);
    t.type(DOWN.repeat(steps) + ENTER);
    // The prompt line itself ("? TELEGRAM_BOT_TOKEN"), not the menu's "missing TELEGRAM_BOT_TOKEN": keys typed
    // before the masked prompt owns the terminal would be echoed by it.
    await t.waitFor('? TELEGRAM_BOT_TOKEN');
    t.type(`${telegram.token}${ENTER}`);
    await t.waitFor('Who may talk to the agent on Telegram?');
    t.type(ENTER);
    await t.waitFor('TELEGRAM_ALLOWED_USERS (comma-separated ids)');
    t.type(`1001${ENTER}`);
    await t.waitFor('TELEGRAM_HOME_CHANNEL');
    t.type(ENTER);
    await t.waitFor('Install or restart the gateway service now?');
    t.type(`n${ENTER}`);
    expect(await t.exit()).toBe(0);
    expect(t.plain()).toMatch(/✓ Telegram: /);
    expect(t.plain()).not.toContain(telegram.token);
    const saved = readFileSync(envFile, 'utf8');
    expect(saved).toContain('# my keys\nOPENAI_API_KEY=sk-keep-me\n');
    expect(saved).toContain(`TELEGRAM_BOT_TOKEN=${telegram.token}`);
    expect(saved).toContain('TELEGRAM_ALLOWED_USERS=1001');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
  });

  it('creates a WeCom bot by QR scan against its fake: shows the code, waits for the scan, saves its credentials', async () => {
    const wecom = await startWecomFakeServer();
    try {
      const envFile = join(home, '.env');
      const t = inTerminal(
        gatewayEnv(home, { WECOM_QR_BASE_URL: wecom.httpUrl, WECOM_WEBSOCKET_URL: wecom.url }),
      );
      await t.waitFor('navigate');
      t.type(DOWN.repeat(menuIndex(t.plain(), 'wecom')) + ENTER);
      await t.waitFor('How do you want to connect');
      t.type(ENTER); // the scan is offered first
      await t.waitFor('Waiting for the scan');
      const screen = t.plain().replace(/\r/g, '');
      const link = /Or open this link on the phone: (\S+)/.exec(screen)?.[1] ?? '';
      expect(link.startsWith(`${wecom.httpUrl}/ai/qc/gen?`)).toBe(true);
      // The code on the screen is the link's, module for module.
      const encoded = encodeQr(link);
      if (!encoded.ok) throw new Error(encoded.message);
      const drawn = renderQrForTerminal(encoded.qr).map((l) => stripVTControlCharacters(l));
      expect(screen).toContain(drawn.join('\n'));
      expect(wecom.qrPolls).toBeLessThan(3); // nothing confirmed yet: still polling, not done
      wecom.confirmQr();
      await t.waitFor('Who may talk to the agent on WeCom');
      expect(t.plain()).toContain(`✓ Bot created: WECOM_BOT_ID=${wecom.botId}, WECOM_SECRET (received)`);
      t.type(ENTER);
      await t.waitFor('WECOM_ALLOWED_USERS (comma-separated ids)');
      t.type(`zhangsan${ENTER}`);
      await t.waitFor('WECOM_HOME_CHANNEL');
      t.type(ENTER);
      await t.waitFor('Install or restart the gateway service now?');
      t.type(`n${ENTER}`);
      expect(await t.exit()).toBe(0);
      expect(t.plain()).toMatch(/✓ WeCom/);
      expect(t.plain()).not.toContain(wecom.secret);
      const saved = readFileSync(envFile, 'utf8');
      expect(saved).toContain(`WECOM_BOT_ID=${wecom.botId}\n`);
      expect(saved).toContain(`WECOM_SECRET=${wecom.secret}\n`);
      expect(saved).toContain('WECOM_ALLOWED_USERS=zhangsan');
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
    } finally {
      await wecom.close();
    }
  });

  it('falls back to typing the WeCom credentials when the QR service cannot be reached, naming why', async () => {
    const wecom = await startWecomFakeServer();
    try {
      const closedPort = await freePort();
      const t = inTerminal(
        gatewayEnv(home, {
          WECOM_QR_BASE_URL: `http://127.0.0.1:${closedPort}`,
          WECOM_WEBSOCKET_URL: wecom.url,
        }),
      );
      await t.waitFor('navigate');
      t.type(DOWN.repeat(menuIndex(t.plain(), 'wecom')) + ENTER);
      await t.waitFor('How do you want to connect');
      t.type(ENTER);
      await t.waitFor('Enter the credentials by hand instead:');
      expect(t.plain()).toContain(`cannot reach http://127.0.0.1:${closedPort}`);
      await t.waitFor('? WECOM_BOT_ID');
      t.type(`${wecom.botId}${ENTER}`);
      await t.waitFor('WECOM_SECRET');
      t.type(`${wecom.secret}${ENTER}`);
      await t.waitFor('Who may talk to the agent on WeCom');
      t.type(DOWN + ENTER); // pairing
      await t.waitFor('WECOM_HOME_CHANNEL');
      t.type(ENTER);
      await t.waitFor('Install or restart the gateway service now?');
      t.type(`n${ENTER}`);
      expect(await t.exit()).toBe(0);
      const saved = readFileSync(join(home, '.env'), 'utf8');
      expect(saved).toContain(`WECOM_BOT_ID=${wecom.botId}\n`);
      expect(saved).toContain(`WECOM_SECRET=${wecom.secret}\n`);
    } finally {
      await wecom.close();
    }
  });

  it('checks the credentials before saving: a wrong token saves nothing (scripted, no terminal)', async () => {
    const r = await hermesAsync(
      ['gateway', 'setup', '--yes', '--platform', 'telegram', '--set', 'TELEGRAM_BOT_TOKEN=123:wrong'],
      gatewayEnv(home, { TELEGRAM_API_ROOT: telegram.apiRoot }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ Telegram');
    expect(r.stdout).toContain('Nothing was saved.');
    expect(() => statSync(join(home, '.env'))).toThrow();
  });

  it('refuses to prompt without a terminal and says how to script it', async () => {
    const r = await hermesAsync(['gateway', 'setup'], gatewayEnv(home, {}));
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('needs a terminal; in scripts pass --yes with --platform and --set KEY=value');
  });
});
