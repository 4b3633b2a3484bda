import { existsSync, readFileSync } from 'node:fs';
import { describeAge } from '../commands/platform-command.js';
import { loadConfig } from '../config/load.js';
import { hermesPaths } from '../config/paths.js';
import { isProcessAlive, readStatusFile } from '../platforms/status-file.js';
import { replicaIdOf, stateUrlOf } from '../state/open-storage.js';
import type { ReplicaQueue, ReplicaView } from '../state/storage.js';

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);

/**
 * `hermes status`: is a gateway running for this HERMES_HOME, and which platforms are online; with a
 * PostgreSQL state, every replica sharing it (from any machine), what each owns and its queue depths.
 */
export async function status(out: (l: string) => void): Promise<number> {
  const local = localStatus(out);
  const replicas = await replicaStatus(out);
  return local || replicas ? 0 : 1;
}

function localStatus(out: (l: string) => void): boolean {
  const paths = hermesPaths(process.env);
  const pid = existsSync(paths.pidFile) ? Number(readFileSync(paths.pidFile, 'utf8').trim()) : undefined;
  if (!pid || !isProcessAlive(pid)) {
    out(`No gateway is running for ${paths.home}.`);
    return false;
  }
  const file = readStatusFile(paths.statusFile);
  out(`Gateway running (pid ${pid})${file ? ` since ${file.startedAt}` : ''}.`);
  if (file?.replica)
    out(`  replica ${file.replica.id}; holds ${file.replica.owns.join(', ') || 'no connection'}`);
  const now = Date.now();
  for (const [platform, s] of Object.entries(file?.platforms ?? {}))
    out(
      `  ${platform}: ${s.status}${s.detail ? ` — ${s.detail}` : ''} (last message in ${describeAge(ms(s.lastInboundAt), now)}, last send ${describeAge(ms(s.lastSendAt), now)})`,
    );
  return true;
}

/** True when at least one live replica was listed. Silent without a PostgreSQL state. */
async function replicaStatus(out: (l: string) => void): Promise<boolean> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch {
    return false; // `hermes doctor` explains a broken config; status shows what it can
  }
  const url = stateUrlOf(config);
  if (url === undefined) return false;
  const { openPostgresStorage } = await import('../state/postgres/index.js');
  let views: ReplicaView[];
  let queue: ReplicaQueue | undefined;
  let where: string;
  try {
    const storage = await openPostgresStorage(url, {
      replicaId: replicaIdOf(config),
      connectTimeoutMs: 5_000,
    });
    where = storage.location;
    try {
      views = (await storage.replicas?.replicas()) ?? [];
      queue = await storage.replicas?.queue();
    } finally {
      await storage.close();
    }
  } catch (err) {
    out(`Replicas: not listed: ${(err as Error).message}`);
    return false;
  }
  out(`Replicas on ${where}: ${views.filter((v) => v.alive).length} live`);
  if (queue)
    out(
      `  waiting: ${queue.waitingMessages} message(s) no replica has claimed yet, ${queue.pendingCalls} adapter call(s) for a connection holder`,
    );
  const now = Date.now();
  for (const v of views) out(`  ${describeReplica(v, now)}`);
  return views.some((v) => v.alive);
}

export function describeReplica(v: ReplicaView, now: number): string {
  const owns = v.owns.length
    ? v.owns
        .map((o) => `${o.platform} (lease held ${Math.round(o.heldForMs / 1000)} s, token ${o.token})`)
        .join(', ')
    : 'no connection';
  const seen = v.alive
    ? `seen ${describeAge(v.lastSeenAt, now)}`
    : `gone, last seen ${describeAge(v.lastSeenAt, now)}`;
  return `${v.id} (${v.host} pid ${v.pid}, ${seen}): owns ${owns}; runs ${v.sessions} session(s), ${v.claimedMessages} message(s) claimed; recorded ${v.openMessages} message(s) still open, ${v.pendingReplies} reply(ies) unsent`;
}
