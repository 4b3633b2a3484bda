import { spawn } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { UpdateFiles } from './update-files.js';

// Values reach the script as env vars, never pasted into it: nothing in them is shell syntax.
const SCRIPT =
  '"$HERMES_UPDATE_NPM" install -g "$HERMES_UPDATE_SPEC" > "$HERMES_UPDATE_OUT" 2>&1; ' +
  'echo $? > "$HERMES_UPDATE_CODE.tmp"; mv "$HERMES_UPDATE_CODE.tmp" "$HERMES_UPDATE_CODE"';

function onPath(binary: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

export type LaunchResult = { ok: true; via: 'systemd-run' | 'detached' } | { ok: false; reason: string };

/**
 * Starts `npm install -g <spec>` outside the gateway: its output goes to `.update_output.txt` and its exit
 * code to `.update_exit_code` (written last, by rename, so a reader never sees half of it). Under systemd
 * it runs in its own scope (`systemd-run --user --scope`), so restarting the gateway's unit does not kill
 * it; if that scope cannot be made, and everywhere else, it runs as a detached session of its own.
 */
export function launchUpdate(o: {
  files: UpdateFiles;
  spec: string;
  npm?: string;
  env?: NodeJS.ProcessEnv;
}): LaunchResult {
  const base = o.env ?? process.env;
  const env: NodeJS.ProcessEnv = {
    ...base,
    HERMES_UPDATE_NPM: o.npm ?? 'npm',
    HERMES_UPDATE_SPEC: o.spec,
    HERMES_UPDATE_OUT: o.files.output,
    HERMES_UPDATE_CODE: o.files.exitCode,
    HERMES_UPDATE_SCRIPT: SCRIPT,
  };
  const scoped = Boolean(base['INVOCATION_ID']) && onPath('systemd-run', base);
  const script = scoped
    ? 'systemd-run --user --scope --quiet -- sh -c "$HERMES_UPDATE_SCRIPT" || sh -c "$HERMES_UPDATE_SCRIPT"'
    : SCRIPT;
  try {
    const child = spawn('sh', ['-c', script], { env, detached: true, stdio: 'ignore' });
    child.once('error', (err) => {
      // The watcher reports this like any failed update.
      writeFileSync(o.files.output, `the update could not be started: ${err.message}\n`);
      writeFileSync(o.files.exitCode, '127\n');
    });
    child.unref();
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  return { ok: true, via: scoped ? 'systemd-run' : 'detached' };
}
