import { hermesPaths } from '../config/paths.js';
import { deliverTargetsProblem } from '../cron/deliver-targets.js';
import { type CronJob, CronJobsStore } from '../cron/jobs-store.js';
import { nextRunAfter, parseSchedule } from '../cron/schedule.js';

const store = () => new CronJobsStore(hermesPaths(process.env).cronDir);

function line(j: CronJob): string {
  const state = j.enabled ? j.state : 'paused';
  return `${j.id}  ${j.name}  [${state}]  ${j.schedule.display}  → ${j.deliver}  next ${j.next_run_at ?? '—'}  last ${j.last_status ?? '—'}${j.last_error ? ` (${j.last_error})` : ''}`;
}

/** `hermes cron …`: the same jobs.json a running gateway ticks over, so changes apply without a restart. */
export function cronCommand(
  action: string,
  args: string[],
  opts: { name?: string; deliver?: string; repeat?: string },
  out: (l: string) => void,
): number {
  try {
    const s = store();
    if (action === 'list') {
      const jobs = s.list();
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
      const job = s.add({
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
      const ok = s.remove(id);
      out(ok ? `Removed ${id}.` : `No job ${id}.`);
      return ok ? 0 : 1;
    }
    const updated = s.update(id, (j) => {
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
  } catch (err) {
    out(`hermes cron ${action}: ${(err as Error).message}`);
    return 1;
  }
}
