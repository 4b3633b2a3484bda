import { existsSync, readFileSync } from 'node:fs';
import { describeAge } from '../commands/platform-command.js';
import { hermesPaths } from '../config/paths.js';
import { isProcessAlive, readStatusFile } from '../platforms/status-file.js';

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);

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
  const now = Date.now();
  for (const [platform, s] of Object.entries(file?.platforms ?? {}))
    out(
      `  ${platform}: ${s.status}${s.detail ? ` — ${s.detail}` : ''} (last message in ${describeAge(ms(s.lastInboundAt), now)}, last send ${describeAge(ms(s.lastSendAt), now)})`,
    );
  return 0;
}
