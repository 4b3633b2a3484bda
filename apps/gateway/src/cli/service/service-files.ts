import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_CONFIG, EXIT_RESTART } from '../load-or-exit.js';

export type ServiceManagerKind = 'systemd' | 'launchd';

/** What a unit needs to start this gateway later, exactly as it runs now. */
export interface ServiceSpec {
  /** `$HERMES_HOME`, absolute. */
  home: string;
  /** The Node binary and the CLI script: the unit runs `<node> <cli> gateway run`. */
  node: string;
  cli: string;
  /** PATH captured at install time, so tools the agent runs are found under the service too. */
  path: string;
  user: string;
  userHome: string;
}

/** Spec 5.7: drain timeout (180 s) plus 30 s before systemd kills the gateway. */
const STOP_TIMEOUT_SECONDS = 210;

/**
 * `hermes-gateway` for the default home; `hermes-gateway-<8 hex of sha256(home)>` for any other, so two
 * homes on one machine get two services (spec 5.7).
 */
export function serviceName(home: string, userHome: string = homedir()): string {
  const normal = resolve(home);
  if (normal === resolve(join(userHome, '.hermes'))) return 'hermes-gateway';
  return `hermes-gateway-${createHash('sha256').update(normal).digest('hex').slice(0, 8)}`;
}

export function launchdLabel(home: string, userHome: string = homedir()): string {
  const name = serviceName(home, userHome);
  return name === 'hermes-gateway'
    ? 'ai.hermes.gateway'
    : `ai.hermes.gateway.${name.slice('hermes-gateway-'.length)}`;
}

/** systemd quoting: values with spaces or quotes go in double quotes with `\` and `"` escaped. */
function systemdQuote(value: string): string {
  return /[\s"\\]/.test(value) ? `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : value;
}

export function systemdUnit(spec: ServiceSpec, system: boolean): string {
  const env = (k: string, v: string) => `Environment=${systemdQuote(`${k}=${v}`)}`;
  return [
    '[Unit]',
    `Description=Hermes Gateway (${spec.home})`,
    'After=network-online.target',
    'Wants=network-online.target',
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    ...(system ? [`User=${spec.user}`] : []),
    `ExecStart=${[spec.node, spec.cli, 'gateway', 'run'].map(systemdQuote).join(' ')}`,
    `WorkingDirectory=${systemdQuote(spec.home)}`,
    env('HOME', spec.userHome),
    env('USER', spec.user),
    env('LOGNAME', spec.user),
    env('PATH', spec.path),
    env('HERMES_HOME', spec.home),
    env('HERMES_LOG_FORMAT', 'json'),
    env('HERMES_SERVICE', 'systemd'),
    'Restart=always',
    'RestartSec=5',
    `RestartForceExitStatus=${EXIT_RESTART}`,
    // A config only the operator can fix: restarting would only fill the journal.
    `RestartPreventExitStatus=${EXIT_CONFIG}`,
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${STOP_TIMEOUT_SECONDS}`,
    'StandardOutput=journal',
    'StandardError=journal',
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function launchdPlist(spec: ServiceSpec): string {
  const label = launchdLabel(spec.home, spec.userHome);
  const str = (s: string) => `    <string>${xml(s)}</string>`;
  const envEntry = (k: string, v: string) => `      <key>${k}</key>\n      <string>${xml(v)}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${label}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...[spec.node, spec.cli, 'gateway', 'run'].map(str),
    '  </array>',
    '  <key>WorkingDirectory</key>',
    `  <string>${xml(spec.home)}</string>`,
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    envEntry('PATH', spec.path),
    envEntry('HERMES_HOME', spec.home),
    envEntry('HERMES_LOG_FORMAT', 'json'),
    envEntry('HERMES_SERVICE', 'launchd'),
    '  </dict>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <true/>',
    '  <key>StandardOutPath</key>',
    `  <string>${xml(join(spec.home, 'logs', 'gateway.stdout.log'))}</string>`,
    '  <key>StandardErrorPath</key>',
    `  <string>${xml(join(spec.home, 'logs', 'gateway.stderr.log'))}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
