import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hermesPaths } from '../../config/paths.js';
import { status as gatewayStatus } from '../status.js';
import {
  launchdLabel,
  launchdPlist,
  type ServiceManagerKind,
  type ServiceSpec,
  serviceName,
  systemdUnit,
} from './service-files.js';

type Out = (line: string) => void;
type Env = NodeJS.ProcessEnv;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  missing: boolean;
}

/** Runs the service manager without a shell; PATH decides which `systemctl` (tests put a stand-in first). */
function run(command: string, args: string[], env: Env): Promise<RunResult> {
  return new Promise((done) => {
    execFile(command, args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
      done({
        code: e ? (typeof e.code === 'number' ? e.code : 1) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
        missing: e?.code === 'ENOENT',
      });
    });
  });
}

export function serviceManagerKind(env: Env): ServiceManagerKind {
  const forced = env['HERMES_SERVICE_MANAGER'];
  if (forced === 'systemd' || forced === 'launchd') return forced;
  return process.platform === 'darwin' ? 'launchd' : 'systemd';
}

interface Locations {
  kind: ServiceManagerKind;
  name: string;
  userFile: string;
  /** systemd only. */
  systemFile: string | undefined;
}

function locations(env: Env, home: string): Locations {
  const userHome = env['HOME'] ?? homedir();
  const kind = serviceManagerKind(env);
  const name = serviceName(home, userHome);
  if (kind === 'launchd')
    return {
      kind,
      name: launchdLabel(home, userHome),
      userFile: join(userHome, 'Library', 'LaunchAgents', `${launchdLabel(home, userHome)}.plist`),
      systemFile: undefined,
    };
  const config = env['XDG_CONFIG_HOME'] || join(userHome, '.config');
  // Overridable so packagers (and tests) can stage system units elsewhere.
  const systemDir = env['HERMES_SYSTEMD_SYSTEM_DIR'] || '/etc/systemd/system';
  return {
    kind,
    name,
    userFile: join(config, 'systemd', 'user', `${name}.service`),
    systemFile: join(systemDir, `${name}.service`),
  };
}

function specFor(env: Env, home: string): ServiceSpec {
  const user = env['USER'] || env['LOGNAME'] || userInfo().username;
  return {
    home: resolve(home),
    node: process.execPath,
    // dist/cli.js: this module is bundled into it.
    cli: resolve(dirname(fileURLToPath(import.meta.url)), 'cli.js'),
    path: env['PATH'] ?? '/usr/bin:/bin',
    user,
    userHome: env['HOME'] ?? homedir(),
  };
}

export interface ServiceOptions {
  system?: boolean;
  force?: boolean;
}

/** `hermes gateway <action>` for the installed service of this HERMES_HOME. */
export class ServiceCommands {
  readonly #env: Env;
  readonly #out: Out;
  readonly #home: string;
  readonly #at: Locations;

  constructor(env: Env, out: Out) {
    this.#env = env;
    this.#out = out;
    this.#home = hermesPaths(env).home;
    this.#at = locations(env, this.#home);
  }

  async install(o: ServiceOptions): Promise<number> {
    const { kind } = this.#at;
    if (o.system && kind === 'launchd')
      return this.#fail('--system is for systemd; launchd services are per user here');
    const file = this.#file(o.system === true);
    if (existsSync(file) && !o.force)
      return this.#fail(`already installed at ${file}: \`hermes gateway install --force\` rewrites it`);
    const spec = specFor(this.#env, this.#home);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, kind === 'launchd' ? launchdPlist(spec) : systemdUnit(spec, o.system === true), {
      mode: 0o644,
    });
    this.#out(`Installed ${file}`);
    if (kind === 'systemd') {
      if (!(await this.#systemctl(o.system === true, ['daemon-reload']))) return 1;
      if (!(await this.#systemctl(o.system === true, ['enable', `${this.#at.name}.service`]))) return 1;
      if (!o.system) {
        // Without lingering, a user unit stops when its user logs out.
        const linger = await run('loginctl', ['enable-linger', spec.user], this.#env);
        if (linger.code !== 0)
          this.#out(
            `! loginctl enable-linger ${spec.user} failed: the service stops when you log out (${linger.stderr.trim() || 'no loginctl'})`,
          );
      }
    }
    this.#warnBoth();
    this.#out('Start it with `hermes gateway start`; `hermes gateway status` shows how it runs.');
    return 0;
  }

  async uninstall(o: ServiceOptions): Promise<number> {
    const system = this.#scope(o);
    const file = this.#file(system);
    if (!existsSync(file)) return this.#fail(`no service installed at ${file}`);
    if (this.#at.kind === 'systemd') {
      await this.#systemctl(system, ['disable', '--now', `${this.#at.name}.service`]);
      rmSync(file, { force: true });
      await this.#systemctl(system, ['daemon-reload']);
    } else {
      await run('launchctl', ['unload', file], this.#env);
      rmSync(file, { force: true });
    }
    this.#out(`Removed ${file}`);
    return 0;
  }

  async control(action: 'start' | 'stop' | 'restart', o: ServiceOptions): Promise<number> {
    const system = this.#scope(o);
    const file = this.#file(system);
    if (!existsSync(file))
      return this.#fail(`no service installed at ${file}: run \`hermes gateway install\` first`);
    this.#warnBoth();
    let ok: boolean;
    if (this.#at.kind === 'systemd') ok = await this.#systemctl(system, [action, `${this.#at.name}.service`]);
    else {
      const uid = String(process.getuid?.() ?? 0);
      const args =
        action === 'start'
          ? ['load', '-w', file]
          : action === 'stop'
            ? ['unload', file]
            : ['kickstart', '-k', `gui/${uid}/${this.#at.name}`];
      ok = await this.#launchctl(args);
    }
    if (ok) this.#out(`${action}: ${this.#at.name} (${file})`);
    return ok ? 0 : 1;
  }

  async status(o: ServiceOptions): Promise<number> {
    const system = this.#scope(o);
    const file = this.#file(system);
    if (!existsSync(file)) this.#out(`Service: not installed (${file}); \`hermes gateway install\` adds it.`);
    else if (this.#at.kind === 'systemd') {
      const r = await run(
        'systemctl',
        [...(system ? [] : ['--user']), 'is-active', `${this.#at.name}.service`],
        this.#env,
      );
      this.#out(`Service: ${r.stdout.trim() || (r.missing ? 'systemctl not found' : 'unknown')} (${file})`);
    } else {
      const r = await run('launchctl', ['list', this.#at.name], this.#env);
      this.#out(`Service: ${r.code === 0 ? 'loaded' : 'not loaded'} (${file})`);
    }
    this.#warnBoth();
    return gatewayStatus(this.#out);
  }

  #scope(o: ServiceOptions): boolean {
    if (o.system !== undefined) return o.system;
    // Without --system: the user unit if there is one, else the system unit if that is what exists.
    return (
      !existsSync(this.#at.userFile) && this.#at.systemFile !== undefined && existsSync(this.#at.systemFile)
    );
  }

  #file(system: boolean): string {
    return system && this.#at.systemFile ? this.#at.systemFile : this.#at.userFile;
  }

  #warnBoth(): void {
    if (this.#at.systemFile && existsSync(this.#at.userFile) && existsSync(this.#at.systemFile))
      this.#out(
        `! Both a user unit (${this.#at.userFile}) and a system unit (${this.#at.systemFile}) exist: two gateways would fight over the same HERMES_HOME. Remove one (\`hermes gateway uninstall [--system]\`).`,
      );
  }

  async #systemctl(system: boolean, args: string[]): Promise<boolean> {
    const r = await run('systemctl', [...(system ? [] : ['--user']), ...args], this.#env);
    if (r.missing) {
      this.#out(
        '✗ systemctl not found: this machine has no systemd. Run `hermes gateway run` under your own supervisor (Docker, runit, a terminal multiplexer).',
      );
      return false;
    }
    if (r.code !== 0)
      this.#out(
        `✗ systemctl ${[...(system ? [] : ['--user']), ...args].join(' ')} failed: ${r.stderr.trim()}`,
      );
    return r.code === 0;
  }

  async #launchctl(args: string[]): Promise<boolean> {
    const r = await run('launchctl', args, this.#env);
    if (r.code !== 0)
      this.#out(`✗ launchctl ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim() || 'not found'}`);
    return r.code === 0;
  }

  #fail(message: string): number {
    this.#out(`✗ ${message}`);
    return 1;
  }
}
