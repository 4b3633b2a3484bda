import { Cron } from 'croner';

/** A job's schedule as stored in jobs.json (spec 5.5). */
export type CronSchedule =
  | { kind: 'once'; run_at: string; display: string }
  | { kind: 'interval'; minutes: number; display: string }
  | { kind: 'cron'; expr: string; display: string };

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  readonly code = 'bad_schedule';
}

const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440 };

function durationMinutes(text: string): number | undefined {
  const m = /^(\d+)\s*([mhd])$/i.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MINUTES[m[2]!.toLowerCase()]!;
}

/**
 * `30m` / `2h` / `1d`: once after that delay; `every 30m`: an interval; a 5-field cron expression; or an
 * ISO timestamp: once at that time. Anything else is an error that shows the accepted forms.
 */
export function parseSchedule(text: string, now: Date = new Date()): CronSchedule {
  const t = text.trim();
  const delay = durationMinutes(t);
  if (delay !== undefined) {
    if (delay <= 0) throw new ScheduleError(`"${t}" is not a positive delay`);
    return {
      kind: 'once',
      run_at: new Date(now.getTime() + delay * 60_000).toISOString(),
      display: `once in ${t}`,
    };
  }
  const every = /^every\s+(.+)$/i.exec(t);
  if (every) {
    const minutes = durationMinutes(every[1]!);
    if (!minutes)
      throw new ScheduleError(`"${t}": write the interval as "every 30m", "every 2h" or "every 1d"`);
    return { kind: 'interval', minutes, display: `every ${every[1]!.trim()}` };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const at = new Date(t);
    if (Number.isNaN(at.getTime())) throw new ScheduleError(`"${t}" is not a valid ISO timestamp`);
    return { kind: 'once', run_at: at.toISOString(), display: `once at ${at.toISOString()}` };
  }
  if (t.split(/\s+/).length === 5) {
    try {
      new Cron(t, { paused: true }).stop();
    } catch (err) {
      throw new ScheduleError(`"${t}" is not a valid cron expression: ${(err as Error).message}`);
    }
    return { kind: 'cron', expr: t, display: t };
  }
  throw new ScheduleError(
    `"${t}" is not a schedule. Use "30m" (once, after a delay), "every 2h", a cron expression like "0 9 * * 1-5", or an ISO time.`,
  );
}

/** The next time the schedule fires strictly after `after`; undefined when a one-shot has passed. */
export function nextRunAfter(schedule: CronSchedule, after: Date, lastRun?: Date): Date | undefined {
  if (schedule.kind === 'once') {
    const at = new Date(schedule.run_at);
    return lastRun ? undefined : at;
  }
  if (schedule.kind === 'interval') {
    const base = lastRun ?? after;
    let next = new Date(base.getTime() + schedule.minutes * 60_000);
    // Recurring jobs that missed slots skip to the next future one instead of firing for each.
    while (next.getTime() <= after.getTime()) next = new Date(next.getTime() + schedule.minutes * 60_000);
    return next;
  }
  const cron = new Cron(schedule.expr, { paused: true });
  const next = cron.nextRun(after) ?? undefined;
  cron.stop();
  return next;
}
