import { mkdirSync } from 'node:fs';
import type { EnvLike, PlatformDescriptor } from '@hermes/adapter-core';
import { confirm, input, password, select } from '@inquirer/prompts';
import { hermesPaths } from '../../config/paths.js';
import { PLATFORM_CATALOG } from '../../platforms/catalog.js';
import { ServiceCommands } from '../service/service-manager.js';
import { readEnvFile, redacted, updateEnvText, writeEnvFile } from './env-file.js';
import { scanToCreateStep } from './scan-step.js';

type Out = (line: string) => void;

/** Flags for scripts: everything the prompts ask, so `--yes` runs without a terminal. */
export interface SetupFlags {
  platform?: string;
  /** `KEY=value`, repeatable. */
  set?: string[];
  allow?: string;
  pairing?: boolean;
  open?: boolean;
  home?: string;
  /** Save even when the credential check fails. */
  skipCheck?: boolean;
  yes?: boolean;
}

interface PlatformState {
  descriptor: PlatformDescriptor<unknown>;
  missing: string[];
}

async function platformStates(env: EnvLike): Promise<PlatformState[]> {
  const states: PlatformState[] = [];
  for (const entry of PLATFORM_CATALOG) {
    const descriptor = await entry.load();
    states.push({ descriptor, missing: descriptor.requiredEnv.filter((name) => !env[name]?.trim()) });
  }
  return states;
}

const describeState = (s: PlatformState) =>
  s.missing.length === 0 ? '✅ configured' : `missing ${s.missing.join(', ')}`;

function parseSets(sets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const at = s.indexOf('=');
    if (at <= 0) throw new Error(`--set ${s}: write it as KEY=value`);
    out[s.slice(0, at)] = s.slice(at + 1);
  }
  return out;
}

/** Asks for each required variable; secrets masked, an existing value kept on Enter. */
async function askCredentials(d: PlatformDescriptor<unknown>, env: EnvLike): Promise<Record<string, string>> {
  const updates: Record<string, string> = {};
  for (const name of d.requiredEnv) {
    const current = env[name]?.trim();
    const secret = d.secretEnv.includes(name);
    const hint = current ? ` (set: ${secret ? redacted(current) : current}; Enter keeps it)` : '';
    const answer = secret
      ? await password({ message: `${name}${hint}`, mask: '•' })
      : await input({ message: `${name}${hint}` });
    if (answer.trim()) updates[name] = answer.trim();
    else if (!current) throw new Error(`${name} is required for ${d.label}`);
  }
  return updates;
}

/**
 * Where the platform's app can create the bot from a QR code, offers that first; the manual path (or a
 * failed scan) asks for each variable.
 */
async function obtainCredentials(
  d: PlatformDescriptor<unknown>,
  env: EnvLike,
  out: Out,
): Promise<Record<string, string>> {
  const scan = d.scanToCreate;
  if (!scan) return askCredentials(d, env);
  const how = await select({
    message: `How do you want to connect ${d.label}?`,
    choices: [
      { name: scan.label, value: 'scan' },
      { name: `Enter ${d.requiredEnv.join(' and ')} by hand`, value: 'manual' },
    ],
  });
  if (how === 'manual') return askCredentials(d, env);
  const scanned = await scanToCreateStep(d, scan, env, out);
  if (scanned.ok) return scanned.values;
  out(`✗ ${d.label}: ${scanned.reason}
Enter the credentials by hand instead:`);
  return askCredentials(d, env);
}

async function askAccess(d: PlatformDescriptor<unknown>): Promise<Record<string, string>> {
  if ((d.kind ?? 'chat') !== 'chat' || !d.allowedUsersEnv) return {};
  const choice = await select({
    message: `Who may talk to the agent on ${d.label}?`,
    choices: [
      { name: 'Only these user ids (an allowlist)', value: 'allow' },
      { name: 'Anyone who pairs: unknown users get a code you approve', value: 'pairing' },
      { name: 'Everyone (open: anyone who finds the bot uses your model)', value: 'open' },
      { name: 'Skip (keep what is set)', value: 'skip' },
    ],
  });
  if (choice === 'allow')
    return { [d.allowedUsersEnv]: await input({ message: `${d.allowedUsersEnv} (comma-separated ids)` }) };
  if (choice === 'open' && d.allowAllUsersEnv) return { [d.allowAllUsersEnv]: 'true' };
  if (choice === 'pairing' && d.allowAllUsersEnv) return { [d.allowAllUsersEnv]: 'false' };
  return {};
}

function accessFromFlags(d: PlatformDescriptor<unknown>, f: SetupFlags): Record<string, string> {
  if (f.allow && d.allowedUsersEnv) return { [d.allowedUsersEnv]: f.allow };
  if (f.open && d.allowAllUsersEnv) return { [d.allowAllUsersEnv]: 'true' };
  if (f.pairing && d.allowAllUsersEnv) return { [d.allowAllUsersEnv]: 'false' };
  return {};
}

/** The platform's own probe with the new values, before anything is saved. */
async function check(d: PlatformDescriptor<unknown>, env: EnvLike): Promise<{ ok: boolean; line: string }> {
  try {
    const adapter = d.createAdapter(d.configFromEnv(env, {}));
    if (!adapter.probe) return { ok: true, line: `${d.label}: no credential check available` };
    const r = await adapter.probe();
    if (r.ok) return { ok: true, line: `✓ ${d.label}: ${r.identity ?? 'credentials accepted'}` };
    return { ok: false, line: `✗ ${d.label}: ${r.error.message}${r.fix ? `\n  fix: ${r.fix}` : ''}` };
  } catch (err) {
    return { ok: false, line: `✗ ${d.label}: ${(err as Error).message}` };
  }
}

/**
 * `hermes gateway setup` (spec 5.8): lists every platform with its state, walks through one (setup
 * instructions, credentials, who may talk, home channel), checks the credentials with the platform's own
 * probe, writes `.env` (0600, everything else in it kept) and offers to restart or install the service.
 */
export async function setupWizard(flags: SetupFlags, out: Out): Promise<number> {
  const paths = hermesPaths(process.env);
  const file = readEnvFile(paths.env);
  const env: EnvLike = { ...file.values, ...process.env };
  const interactive = !flags.yes;
  if (interactive && !process.stdin.isTTY) {
    out(
      '✗ hermes gateway setup needs a terminal; in scripts pass --yes with --platform and --set KEY=value.',
    );
    return 2;
  }
  const states = await platformStates(env);
  out(`Hermes setup: ${paths.env}`);
  for (const s of states) out(`  ${s.descriptor.platform.padEnd(14)} ${describeState(s)}`);
  const platform =
    flags.platform ??
    (await select({
      message: 'Which platform do you want to set up?',
      choices: states.map((s) => ({
        name: `${s.descriptor.label} (${describeState(s)})`,
        value: s.descriptor.platform,
      })),
    }));
  const state = states.find((s) => s.descriptor.platform === platform);
  if (!state) {
    out(`✗ unknown platform "${platform}" (known: ${states.map((s) => s.descriptor.platform).join(', ')})`);
    return 2;
  }
  const d = state.descriptor;
  out(`\n${d.setupHelp}\n`);
  const updates: Record<string, string> = interactive
    ? { ...(await obtainCredentials(d, env, out)), ...(await askAccess(d)) }
    : { ...parseSets(flags.set ?? []), ...accessFromFlags(d, flags) };
  if (d.homeChannelEnv) {
    const home = interactive
      ? (await input({ message: `${d.homeChannelEnv}: chat for cron results and notices (optional)` })).trim()
      : flags.home;
    if (home) updates[d.homeChannelEnv] = home;
  }
  const result = await check(d, { ...env, ...updates });
  out(result.line);
  if (!result.ok) {
    const keep = interactive
      ? await confirm({ message: 'Save anyway?', default: false })
      : flags.skipCheck === true;
    if (!keep) {
      out('Nothing was saved.');
      return 1;
    }
  }
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  writeEnvFile(paths.env, updateEnvText(file.text, updates));
  out(`Saved ${Object.keys(updates).join(', ') || 'nothing new'} to ${paths.env}.`);
  if (
    interactive &&
    (await confirm({ message: 'Install or restart the gateway service now?', default: false }))
  ) {
    const service = new ServiceCommands(process.env, out);
    const restarted = await service.control('restart', {});
    if (restarted !== 0) return service.install({});
  } else out('Apply it: `hermes gateway` (foreground) or `hermes gateway install` then `start` (service).');
  return 0;
}
