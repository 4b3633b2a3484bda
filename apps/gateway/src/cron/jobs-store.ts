import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJsonObject, writeJsonObject } from '../state/json-file.js';
import type { StateStorage } from '../state/storage.js';
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
  /**
   * Set only while a run is in progress: who runs it (replica id, or host:pid on files) and since when. Replicas
   * race for a due job; the one whose claim landed runs it. Removed when the run finishes, so a finished job
   * reads as the Python gateway writes it.
   */
  claimed_by?: string;
  claimed_at?: string;
}

export type NewCronJob = Omit<
  CronJob,
  | 'id'
  | 'created_at'
  | 'state'
  | 'enabled'
  | 'last_run_at'
  | 'last_status'
  | 'last_error'
  | 'claimed_by'
  | 'claimed_at'
>;

/** The shared state's kv key holding the jobs document when replicas share a PostgreSQL. */
export const CRON_JOBS_KEY = 'cron:jobs';

/** The jobs document: `{ jobs: [...] }`, in a file or a kv value. */
interface JobsDocument {
  read(): Promise<CronJob[]>;
  /**
   * One read-change-write as a unit. `change` returns the new list (undefined: nothing to write) and a result;
   * it must not mutate its argument nor have side effects: the kv engine may call it again.
   */
  change<R>(change: (jobs: readonly CronJob[]) => { jobs?: CronJob[]; result: R }): Promise<R>;
}

/**
 * jobs.json, re-read on every operation so the CLI and a running gateway see each other's changes. Read,
 * change and write run with no await in between, so within one process nothing interleaves. Writes are
 * atomic (temp file + rename) and 0600; a corrupt file is reported, never overwritten.
 */
class FileJobs implements JobsDocument {
  constructor(readonly file: string) {}

  private load(): CronJob[] {
    const r = readJsonObject(this.file);
    if (!r.ok) throw new Error(`${r.error}; fix or move the file, then retry`);
    const jobs = r.value.jobs;
    return Array.isArray(jobs) ? (jobs as CronJob[]) : [];
  }

  read(): Promise<CronJob[]> {
    return Promise.resolve().then(() => this.load());
  }

  change<R>(change: (jobs: readonly CronJob[]) => { jobs?: CronJob[]; result: R }): Promise<R> {
    return Promise.resolve().then(() => {
      const out = change(this.load());
      if (out.jobs) writeJsonObject(this.file, { jobs: out.jobs });
      return out.result;
    });
  }
}

/** The same document as a kv value of the shared state: every replica (and `hermes cron`) sees one list. */
class KvJobs implements JobsDocument {
  constructor(private readonly kv: StateStorage['kv']) {}

  async read(): Promise<CronJob[]> {
    return jobsOf(await this.kv.get<{ jobs?: unknown }>(CRON_JOBS_KEY));
  }

  async change<R>(change: (jobs: readonly CronJob[]) => { jobs?: CronJob[]; result: R }): Promise<R> {
    let result: { value: R } | undefined;
    // The last call of `change` is the one whose write committed: its result is the answer.
    await this.kv.update<{ jobs?: unknown }>(CRON_JOBS_KEY, (current) => {
      const out = change(jobsOf(current));
      result = { value: out.result };
      return out.jobs ? { ...current, jobs: out.jobs } : current;
    });
    if (!result) throw new Error('the cron jobs were not read');
    return result.value;
  }
}

function jobsOf(doc: { jobs?: unknown } | undefined): CronJob[] {
  return Array.isArray(doc?.jobs) ? (doc.jobs as CronJob[]) : [];
}

const matches = (j: CronJob, id: string) => j.id === id || j.name === id;

/** Whether a run in progress holds the job: claimed, and not so long ago that its runner must be gone. */
function liveClaim(job: CronJob, nowMs: number, staleAfterMs: number): boolean {
  if (job.state !== 'running') return false;
  // Running with no claim: written by an older gateway or the Python one; left alone as before.
  if (job.claimed_at === undefined) return true;
  return nowMs - Date.parse(job.claimed_at) < staleAfterMs;
}

export interface ClaimOptions {
  now: Date;
  /**
   * A claim this old is taken as abandoned (its replica died mid-run) and may be taken again. Judged in this
   * process's clock against the claimer's: keep it well above any clock skew between replicas.
   */
  staleAfterMs: number;
  /** True (the ticker): only a job that is due, or whose claim is abandoned. False: any job not running now. */
  dueOnly: boolean;
}

/**
 * The cron jobs: `$HERMES_HOME/cron/jobs.json` by default; the shared state's kv (`cron:jobs`) when the state
 * storage coordinates replicas, so a job scheduled on one replica is seen, listed and run by all of them.
 */
export class CronJobsStore {
  /** jobs.json: used only when the jobs are not in the shared state. */
  readonly file: string;
  readonly outputDir: string;
  /** Where the jobs live, for messages: the file, or the kv key and the state's location. */
  readonly location: string;
  /** Who claims runs through this store. */
  readonly runner: string;
  private readonly doc: JobsDocument;

  constructor(cronDir: string, state?: Pick<StateStorage, 'kv' | 'replicas' | 'location'>) {
    this.file = join(cronDir, 'jobs.json');
    // Run output stays on the replica that ran the job (its own cron/output/): `hermes cron list` shows
    // only the job's last status and error, which are in the shared document.
    this.outputDir = join(cronDir, 'output');
    if (state?.replicas !== undefined) {
      this.doc = new KvJobs(state.kv);
      this.location = `${CRON_JOBS_KEY} on ${state.location}`;
      this.runner = state.replicas.replicaId;
    } else {
      this.doc = new FileJobs(this.file);
      this.location = this.file;
      this.runner = `${hostname()}:${process.pid}`;
    }
  }

  list(): Promise<CronJob[]> {
    return this.doc.read();
  }

  async get(id: string): Promise<CronJob | undefined> {
    return (await this.list()).find((j) => matches(j, id));
  }

  add(job: NewCronJob): Promise<CronJob> {
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
    return this.doc.change((jobs) => ({ jobs: [...jobs, full], result: full }));
  }

  /** Applies a change to one job; returns the updated job, or undefined when there is no such job. */
  update(id: string, change: (job: CronJob) => CronJob): Promise<CronJob | undefined> {
    return this.doc.change((jobs) => {
      const i = jobs.findIndex((j) => matches(j, id));
      if (i < 0) return { result: undefined };
      const updated = change(jobs[i]!);
      return { jobs: jobs.map((j, k) => (k === i ? updated : j)), result: updated };
    });
  }

  remove(id: string): Promise<boolean> {
    return this.doc.change((jobs) => {
      const kept = jobs.filter((j) => !matches(j, id));
      return kept.length === jobs.length ? { result: false } : { jobs: kept, result: true };
    });
  }

  /**
   * Marks the job running under this store's runner, in one atomic change: of several replicas racing for the
   * same due run, exactly one gets the job back; the others get undefined and must not run it.
   */
  claim(id: string, options: ClaimOptions): Promise<CronJob | undefined> {
    const nowMs = options.now.getTime();
    return this.doc.change((jobs) => {
      const i = jobs.findIndex((j) => j.id === id);
      const job = jobs[i];
      if (!job || !claimable(job, nowMs, options)) return { result: undefined };
      const claimed: CronJob = {
        ...job,
        state: 'running',
        claimed_by: this.runner,
        claimed_at: options.now.toISOString(),
      };
      return { jobs: jobs.map((j, k) => (k === i ? claimed : j)), result: claimed };
    });
  }

  /**
   * Ends a run claimed with `claim`: applies `change` and drops the claim, only if the claim is still the one
   * this run made (a run that outlived its claim may have been taken over; it must not reschedule the job
   * under the new runner). Undefined when the job is gone or no longer this run's.
   */
  finish(claimed: CronJob, change: (job: CronJob) => CronJob): Promise<CronJob | undefined> {
    return this.doc.change((jobs) => {
      const i = jobs.findIndex((j) => j.id === claimed.id);
      const job = jobs[i];
      if (!job || job.claimed_by !== claimed.claimed_by || job.claimed_at !== claimed.claimed_at)
        return { result: undefined };
      const { claimed_by: _by, claimed_at: _at, ...rest } = change(job);
      const done: CronJob = rest;
      return { jobs: jobs.map((j, k) => (k === i ? done : j)), result: done };
    });
  }
}

function claimable(job: CronJob, nowMs: number, o: ClaimOptions): boolean {
  if (liveClaim(job, nowMs, o.staleAfterMs)) return false;
  if (!o.dueOnly) return true;
  if (!job.enabled) return false;
  if (job.state === 'running') return true; // an abandoned claim (liveClaim said so): its run never finished
  return job.state === 'scheduled' && job.next_run_at !== null && Date.parse(job.next_run_at) <= nowMs;
}

/** Due now for the ticker: scheduled and its time has come, or running under a claim that was abandoned. */
export function isDue(job: CronJob, now: Date, staleAfterMs: number): boolean {
  return claimable(job, now.getTime(), { now, staleAfterMs, dueOnly: true });
}
