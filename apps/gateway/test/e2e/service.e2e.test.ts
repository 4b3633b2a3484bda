import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hermesAsync } from './gateway-process.js';

let root: string;
let bin: string;
let calls: string;

/** A stand-in service manager on PATH: logs each call and answers like the real one would. */
function standIn(name: string, script = ''): void {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "${calls}"\n${script}\nexit 0\n`);
  chmodSync(path, 0o755);
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: join(root, 'home'),
    USER: 'ada',
    HERMES_HOME: join(root, 'home', '.hermes'),
    XDG_CONFIG_HOME: '',
    HERMES_SYSTEMD_SYSTEM_DIR: join(root, 'etc-systemd'),
    ...extra,
  };
}

const called = () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hermes-service-'));
  bin = join(root, 'bin');
  calls = join(root, 'calls.log');
  mkdirSync(bin);
  mkdirSync(join(root, 'home'));
  standIn('systemctl', 'case "$*" in *is-active*) echo active;; esac');
  standIn('loginctl');
  standIn('launchctl');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('hermes gateway install / start / stop / status (systemd)', () => {
  it('installs a user unit for the default home that runs this gateway as it runs now', async () => {
    const r = await hermesAsync(['gateway', 'install'], env());
    expect(r.stdout + r.stderr).toContain('Installed');
    expect(r.code).toBe(0);
    const unit = readFileSync(
      join(root, 'home', '.config', 'systemd', 'user', 'hermes-gateway.service'),
      'utf8',
    );
    expect(unit).toMatch(
      new RegExp(
        `^ExecStart=${process.execPath.replace(/[/.]/g, '\\$&')} \\S+/dist/cli\\.js gateway run$`,
        'm',
      ),
    );
    expect(unit).toContain(`Environment=HERMES_HOME=${join(root, 'home', '.hermes')}`);
    expect(unit).toContain(`Environment=PATH=${bin}:`);
    expect(unit).toContain('RestartPreventExitStatus=78');
    expect(unit).toContain('TimeoutStopSec=210');
    expect(unit).toContain('WantedBy=default.target');
    expect(unit).not.toContain('User=');
    expect(called()).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable hermes-gateway.service',
      'loginctl enable-linger ada',
    ]);
    const again = await hermesAsync(['gateway', 'install'], env());
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('already installed at');
    expect(again.stdout).toContain('--force');
    expect((await hermesAsync(['gateway', 'install', '--force'], env())).code).toBe(0);
  });

  it('names the unit after a hash of any other HERMES_HOME, and start/stop/restart/status drive it', async () => {
    const e = env({ HERMES_HOME: join(root, 'work-bot') });
    expect((await hermesAsync(['gateway', 'install'], e)).code).toBe(0);
    const [unit] = called()
      .filter((c) => c.includes('enable'))
      .map((c) => c.split(' ').pop());
    expect(unit).toMatch(/^hermes-gateway-[0-9a-f]{8}\.service$/);
    for (const action of ['start', 'stop', 'restart']) {
      const r = await hermesAsync(['gateway', action], e);
      expect(r.code).toBe(0);
      expect(called()).toContain(`systemctl --user ${action} ${unit}`);
    }
    const s = await hermesAsync(['gateway', 'status'], e);
    expect(s.stdout).toContain('Service: active');
    expect(s.stdout).toContain(`No gateway is running for ${join(root, 'work-bot')}`);
  });

  it('a system unit runs as the user; both units at once get a warning', async () => {
    expect((await hermesAsync(['gateway', 'install', '--system'], env())).code).toBe(0);
    const unit = readFileSync(join(root, 'etc-systemd', 'hermes-gateway.service'), 'utf8');
    expect(unit).toContain('User=ada');
    expect(unit).toContain('WantedBy=multi-user.target');
    expect(called()).toContain('systemctl daemon-reload');
    const both = await hermesAsync(['gateway', 'install'], env());
    expect(both.stdout).toContain('Both a user unit');
    const removed = await hermesAsync(['gateway', 'uninstall', '--system'], env());
    expect(removed.code).toBe(0);
    expect(existsSync(join(root, 'etc-systemd', 'hermes-gateway.service'))).toBe(false);
    expect(called()).toContain('systemctl disable --now hermes-gateway.service');
  });

  it('says what to do on a machine without systemd', async () => {
    rmSync(join(bin, 'systemctl'));
    const r = await hermesAsync(['gateway', 'install'], env({ PATH: bin }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('systemctl not found: this machine has no systemd');
  });
});

describe('hermes gateway install / start (launchd)', () => {
  it('writes a LaunchAgent plist and loads it', async () => {
    const e = env({ HERMES_SERVICE_MANAGER: 'launchd' });
    expect((await hermesAsync(['gateway', 'install'], e)).code).toBe(0);
    const plist = readFileSync(
      join(root, 'home', 'Library', 'LaunchAgents', 'ai.hermes.gateway.plist'),
      'utf8',
    );
    expect(plist).toContain('<string>ai.hermes.gateway</string>');
    expect(plist).toContain('<key>KeepAlive</key>');
    expect(plist).toContain(`<string>${process.execPath}</string>`);
    expect((await hermesAsync(['gateway', 'start'], e)).code).toBe(0);
    expect(called()).toContain(
      `launchctl load -w ${join(root, 'home', 'Library', 'LaunchAgents', 'ai.hermes.gateway.plist')}`,
    );
  });
});
