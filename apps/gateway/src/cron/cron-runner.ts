import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChatRef, parseMessageTarget } from '@hermes/adapter-core';
import type { HostRuntime } from '../host/runtime.js';
import { isSilentReply } from '../outbound/extract-media.js';
import { type HomeChannels, targetChat } from '../outbound/target-chat.js';
import { CLARIFY_TOOLSET } from '../turn/clarify-questions.js';
import { type CronJob, type CronJobsStore, isDue } from './jobs-store.js';
import { nextRunAfter } from './schedule.js';

/** What the cron runner needs from the host. */
export type CronDeps = Pick<
  HostRuntime,
  'agent' | 'approvals' | 'deliverer' | 'env' | 'logger' | 'shuttingDown'
> &
  HomeChannels;

/** Where a job's output goes: each comma-separated target resolved to a chat, or a reason it cannot be. */
export function resolveCronTargets(
  job: CronJob,
  homes: HomeChannels,
): Array<{ chat?: ChatRef; problem?: string; target: string }> {
  return job.deliver
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t && t !== 'local')
    .map((target) => {
      if (target === 'origin') {
        if (!job.origin)
          return { target, problem: 'the job has no origin chat (it was created outside a chat)' };
        const chat: ChatRef = {
          platform: job.origin.platform,
          chatId: job.origin.chat_id,
          chatType: 'group',
        };
        if (job.origin.thread_id) chat.threadId = job.origin.thread_id;
        return { target, chat };
      }
      const parsed = parseMessageTarget(target);
      if (!parsed.ok) return { target, problem: parsed.error };
      const resolved = targetChat(parsed.target, homes, job.origin?.platform);
      return resolved.ok ? { target, chat: resolved.chat } : { target, problem: resolved.problem };
    });
}

function nextState(job: CronJob, ranAt: Date): Pick<CronJob, 'state' | 'next_run_at' | 'repeat'> {
  const repeat = { ...job.repeat, completed: job.repeat.completed + 1 };
  const next = nextRunAfter(job.schedule, ranAt, ranAt);
  const done = !next || (repeat.times !== null && repeat.completed >= repeat.times);
  return { state: done ? 'completed' : 'scheduled', next_run_at: done ? null : next.toISOString(), repeat };
}

/** How long a run may take (HERMES_CRON_TIMEOUT, seconds; 600 by default) before it is aborted. */
export function cronTimeoutMs(env: CronDeps['env']): number {
  return Number(env.HERMES_CRON_TIMEOUT ?? 600) * 1000;
}

/**
 * A claim older than this is abandoned (its replica died mid-run) and another replica may run the job again.
 * A live run is aborted at the timeout; the margin covers its delivery and clock skew between replicas.
 */
export function staleClaimMs(env: CronDeps['env']): number {
  const timeoutMs = cronTimeoutMs(env);
  return (Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 600_000) + 5 * 60_000;
}

/**
 * One run of one job, now, whether due or not (the tests and a manual run): claimed first, so it is not run
 * twice at once. Undefined when another run holds the job, or it is gone.
 */
export async function runCronJob(
  rt: CronDeps,
  store: CronJobsStore,
  job: CronJob,
  now = new Date(),
): Promise<CronJob | undefined> {
  const claimed = await store.claim(job.id, {
    now: new Date(),
    staleAfterMs: staleClaimMs(rt.env),
    dueOnly: false,
  });
  return claimed ? runClaimed(rt, store, claimed, now) : undefined;
}

/** A fresh session, the prompt, the output saved and delivered (spec 5.5); the job must be claimed. */
async function runClaimed(
  rt: CronDeps,
  store: CronJobsStore,
  job: CronJob,
  now: Date,
): Promise<CronJob | undefined> {
  const controller = new AbortController();
  const timeoutMs = cronTimeoutMs(rt.env);
  const timer = setTimeout(() => controller.abort(new Error('cron run timed out')), timeoutMs);
  timer.unref();
  let text = '';
  let error = '';
  try {
    const input: Parameters<HostRuntime['agent']['runTurn']>[0] = {
      sessionKey: `agent:main:cron:${job.id}:${now.getTime()}`,
      history: [],
      userText: job.prompt,
      signal: controller.signal,
      approvals: rt.approvals,
      // Spec 5.5: a job cannot schedule more jobs.
      toolLimits: { withoutToolsets: ['cronjob', CLARIFY_TOOLSET] },
      context: {
        platform: 'cron',
        cronJobId: job.id,
        ...(job.origin ? { originPlatform: job.origin.platform } : {}),
      },
    };
    if (job.model) input.model = job.model;
    for await (const ev of rt.agent.runTurn(input)) {
      if (ev.type === 'done') text = ev.text;
      if (ev.type === 'error') error = ev.message;
    }
  } catch (err) {
    error = (err as Error).message;
  } finally {
    clearTimeout(timer);
  }
  const dir = join(store.outputDir, job.id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(dir, `${now.toISOString().replace(/[:.]/g, '-')}.md`),
    error ? `ERROR: ${error}\n` : `${text}\n`,
    { mode: 0o600 },
  );
  let status: CronJob['last_status'] = error ? 'error' : 'ok';
  const problems: string[] = error ? [error] : [];
  if (!error && !isSilentReply(text)) {
    for (const t of resolveCronTargets(job, rt)) {
      if (!t.chat) {
        problems.push(`${t.target}: ${t.problem}`);
        status = 'delivery_failed';
        continue;
      }
      const report = await rt.deliverer.deliverText(t.chat, `⏰ **${job.name}**\n\n${text}`);
      if (report.failed > 0) {
        problems.push(`${t.target}: delivery failed`);
        status = 'delivery_failed';
      }
    }
  }
  const after = await store.finish(job, (j) => ({
    ...j,
    ...nextState(j, now),
    last_run_at: now.toISOString(),
    last_status: status,
    last_error: problems.length ? problems.join('; ') : null,
  }));
  if (!after)
    rt.logger.warn('cron run not recorded: the job was removed, or its claim was taken over meanwhile', {
      id: job.id,
    });
  return after;
}

/**
 * Every enabled, scheduled job whose time has come, and jobs left running under a claim older than
 * `staleAfterMs` (their runner died). Candidates only: the ticker runs one only once its claim lands.
 */
export async function dueJobs(
  store: CronJobsStore,
  now: Date,
  staleAfterMs = Number.POSITIVE_INFINITY,
): Promise<CronJob[]> {
  return (await store.list()).filter((j) => isDue(j, now, staleAfterMs));
}

/**
 * The gateway's cron ticker: every `tickMs` (60 s by default, HERMES_CRON_TICK_SECONDS to change) it runs
 * the due jobs one after another. A tick never overlaps the previous one. Every replica ticks over the same
 * jobs; each due run is claimed first, and only the replica whose claim landed runs it. The returned stop
 * waits (at most `waitMs`) for a run in progress, so its result is written before the storage closes.
 */
export function startCronTicker(
  rt: CronDeps,
  store: CronJobsStore,
  tickMs: number,
): (waitMs?: number) => Promise<void> {
  let current: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    const staleAfterMs = staleClaimMs(rt.env);
    try {
      for (const due of await dueJobs(store, new Date(), staleAfterMs)) {
        if (stopped || rt.shuttingDown) return;
        // Claimed at the current time: a run earlier in this tick may have taken minutes.
        const job = await store.claim(due.id, { now: new Date(), staleAfterMs, dueOnly: true });
        if (!job) continue; // another replica claimed it first, or it changed since the list
        rt.logger.info('cron job running', { id: job.id, name: job.name });
        const after = await runClaimed(rt, store, job, new Date());
        rt.logger.info('cron job finished', {
          id: job.id,
          status: after?.last_status,
          next: after?.next_run_at,
        });
      }
    } catch (err) {
      rt.logger.error('cron tick failed', { error: (err as Error).message });
    }
  };
  const timer = setInterval(() => {
    if (current || stopped || rt.shuttingDown) return;
    current = tick().finally(() => {
      current = undefined;
    });
  }, tickMs);
  timer.unref();
  return async (waitMs = 2000) => {
    stopped = true;
    clearInterval(timer);
    if (!current) return;
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([current, new Promise((r) => (bound = setTimeout(r, waitMs)))]);
    clearTimeout(bound);
  };
}
