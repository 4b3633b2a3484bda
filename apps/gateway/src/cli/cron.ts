import { hostname } from 'node:os';
import { loadConfig } from '../config/load.js';
import { hermesPaths } from '../config/paths.js';
import { deliverTargetsProblem } from '../cron/deliver-targets.js';
import { type CronJob, CronJobsStore } from '../cron/jobs-store.js';
import { nextRunAfter, parseSchedule } from '../cron/schedule.js';
import { replicaIdOf, stateUrlOf } from '../state/open-storage.js';

/**
 * The jobs the gateway ticks over: with a PostgreSQL state (HERMES_DATABASE_URL or `state.url`), the replicas'
 * shared document; otherwise `$HERMES_HOME/cron/jobs.json`. Runs `fn` and closes what it opened.
 */
async function withStore<T>(fn: (s: CronJobsStore) => Promise<T>): Promise<T> {
  const cronDir = hermesPaths(process.env).cronDir;
  let url: string | undefined;
  let replicaId: string;
  try {
    const config = loadConfig(process.env);
    url = stateUrlOf(config);
    replicaId = replicaIdOf(config);
  } catch {
    // A config that does not load (`hermes doctor` explains it) must not keep the operator from their jobs.
    url = process.env.HERMES_DATABASE_URL?.trim() || undefined;
    replicaId = process.env.HERMES_REPLICA_ID?.trim() || `${hostname()}:cli`;
  }
  if (url === undefined) return fn(new CronJobsStore(cronDir));
  const { openPostgresStorage } = await import('../state/postgres/index.js');
  // With a replica id, as `hermes status` opens it: the jobs live where replicas keep them (see CronJobsStore).
  const storage = await openPostgresStorage(url, { replicaId, connectTimeoutMs: 5_000 });
  try {
    return await fn(new CronJobsStore(cronDir, storage));
  } finally {
    await storage.close();
  }
}

function line(j: CronJob): string {
  const state = j.enabled ? j.state : 'paused';
  return `${j.id}  ${j.name}  [${state}]  ${j.schedule.display}  → ${j.deliver}  next ${j.next_run_at ?? '—'}  last ${j.last_status ?? '—'}${j.last_error ? ` (${j.last_error})` : ''}`;
}

/** `hermes cron …`: the same jobs a running gateway ticks over, so changes apply without a restart. */
export async function cronCommand(
  action: string,
  args: string[],
  opts: { name?: string; deliver?: string; repeat?: string },
  out: (l: string) => void,
): Promise<number> {
  try {
    return await withStore((s) => cronAction(s, action, args, opts, out));
  } catch (err) {
    out(`hermes cron ${action}: ${(err as Error).message}`);
    return 1;
  }
}

async function cronAction(
  s: CronJobsStore,
  action: string,
  args: string[],
  opts: { name?: string; deliver?: string; repeat?: string },
  out: (l: string) => void,
): Promise<number> {
  if (action === 'list') {
    const jobs = await s.list();
    out(jobs.length ? jobs.map(line).join('\n') : 'No cron jobs.');
    return 0;
  }
  if (action === 'create') {
    const [schedule, ...prompt] = args;
    if (!schedule || prompt.length === 0) {
      out('Usage: hermes cron create <schedule> <prompt…> [--name N] [--deliver TARGET] [--repeat N]');
      return 2;
    }
    const deliverProblem = opts.deliver === undefined ? undefined : deliverTargetsProblem(opts.deliver);
    if (deliverProblem) throw new Error(deliverProblem);
    const parsed = parseSchedule(schedule);
    const next = nextRunAfter(parsed, new Date());
    const times = opts.repeat ? Number(opts.repeat) : null;
    if (times !== null && (!Number.isInteger(times) || times <= 0))
      throw new Error('--repeat takes a positive whole number');
    const job = await s.add({
      name: opts.name ?? prompt.join(' ').slice(0, 40),
      prompt: prompt.join(' '),
      schedule: parsed,
      deliver: opts.deliver ?? 'local',
      repeat: { times, completed: 0 },
      next_run_at: next ? next.toISOString() : null,
    });
    out(`Created ${line(job)}`);
    return 0;
  }
  const id = args[0];
  if (!id) {
    out(`Usage: hermes cron ${action} <job id or name>`);
    return 2;
  }
  if (action === 'remove') {
    const ok = await s.remove(id);
    out(ok ? `Removed ${id}.` : `No job ${id}.`);
    return ok ? 0 : 1;
  }
  const updated = await s.update(id, (j) => {
    if (action === 'pause') return { ...j, enabled: false };
    if (action === 'resume') return { ...j, enabled: true };
    return { ...j, enabled: true, state: 'scheduled', next_run_at: new Date().toISOString() };
  });
  if (!updated) {
    out(`No job ${id}.`);
    return 1;
  }
  out(
    action === 'run'
      ? `Job ${updated.id} is due now; a running gateway runs it at its next tick.`
      : line(updated),
  );
  return 0;
}
