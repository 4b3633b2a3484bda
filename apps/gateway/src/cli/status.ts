import { existsSync, readFileSync } from 'node:fs';
import { hermesPaths } from '../config/paths.js';
import { isProcessAlive, readStatusFile } from '../host/status-file.js';

/** `hermes status`: is a gateway running for this HERMES_HOME, and which platforms are online. */
export function status(out: (l: string) => void): number {
  const paths = hermesPaths(process.env);
  const pid = existsSync(paths.pidFile) ? Number(readFileSync(paths.pidFile, 'utf8').trim()) : undefined;
  if (!pid || !isProcessAlive(pid)) {
    out(`No gateway is running for ${paths.home}.`);
    return 1;
  }
  const file = readStatusFile(paths.statusFile);
  out(`Gateway running (pid ${pid})${file ? ` since ${file.startedAt}` : ''}.`);
  for (const [platform, s] of Object.entries(file?.platforms ?? {}))
    out(`  ${platform}: ${s.status}${s.detail ? ` — ${s.detail}` : ''}`);
  return 0;
}
