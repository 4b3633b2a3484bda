import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readJsonObject, writeJsonObject } from '../state/json-file.js';
import type { CronSchedule } from './schedule.js';

export type CronJobState = 'scheduled' | 'paused' | 'completed' | 'running';

/** A job as `$HERMES_HOME/cron/jobs.json` holds it (spec 5.5 field names, so files interoperate). */
export interface CronJob {
  id: string;
  name: string;
  /** Self-contained: a run has no chat context. */
  prompt: string;
  schedule: CronSchedule;
  /** Comma-separated targets: origin, local, <platform>, <platform>:<chat>[:<thread>]. */
  deliver: string;
  repeat: { times: number | null; completed: number };
  enabled: boolean;
  state: CronJobState;
  created_at: string;
  next_run_at: string | null;
  last_run_at: string | null;
  last_status: 'ok' | 'error' | 'delivery_failed' | null;
  last_error: string | null;
  origin?: { platform: string; chat_id: string; thread_id?: string };
  model?: string;
}

/**
 * jobs.json is re-read on every operation so the CLI and a running gateway see each other's changes.
 * Writes are atomic (temp file + rename) and 0600; a corrupt file is reported, never overwritten.
 */
export class CronJobsStore {
  readonly file: string;
  readonly outputDir: string;

  constructor(cronDir: string) {
    this.file = join(cronDir, 'jobs.json');
    this.outputDir = join(cronDir, 'output');
  }

  list(): CronJob[] {
    const r = readJsonObject(this.file);
    if (!r.ok) throw new Error(`${r.error}; fix or move the file, then retry`);
    const jobs = r.value.jobs;
    return Array.isArray(jobs) ? (jobs as CronJob[]) : [];
  }

  get(id: string): CronJob | undefined {
    return this.list().find((j) => j.id === id || j.name === id);
  }

  private save(jobs: CronJob[]): void {
    writeJsonObject(this.file, { jobs });
  }

  add(
    job: Omit<
      CronJob,
      'id' | 'created_at' | 'state' | 'enabled' | 'last_run_at' | 'last_status' | 'last_error'
    >,
  ): CronJob {
    const full: CronJob = {
      ...job,
      id: randomBytes(6).toString('hex'),
      created_at: new Date().toISOString(),
      state: 'scheduled',
      enabled: true,
      last_run_at: null,
      last_status: null,
      last_error: null,
    };
    this.save([...this.list(), full]);
    return full;
  }

  /** Applies a change to one job; returns the updated job, or undefined when there is no such job. */
  update(id: string, change: (job: CronJob) => CronJob): CronJob | undefined {
    const jobs = this.list();
    const i = jobs.findIndex((j) => j.id === id || j.name === id);
    if (i < 0) return undefined;
    const updated = change(jobs[i]!);
    jobs[i] = updated;
    this.save(jobs);
    return updated;
  }

  remove(id: string): boolean {
    const jobs = this.list();
    const kept = jobs.filter((j) => j.id !== id && j.name !== id);
    if (kept.length === jobs.length) return false;
    this.save(kept);
    return true;
  }
}
