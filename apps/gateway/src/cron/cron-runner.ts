import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChatRef, parseMessageTarget } from '@hermes/adapter-core';
import type { HostRuntime } from '../host/runtime.js';
import { isSilentReply } from '../outbound/extract-media.js';
import { type HomeChannels, targetChat } from '../outbound/target-chat.js';
import { CLARIFY_TOOLSET } from '../turn/clarify-questions.js';
import type { CronJob, CronJobsStore } from './jobs-store.js';
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

/** One run of one job: a fresh session, the prompt, the output saved and delivered (spec 5.5). */
export async function runCronJob(
  rt: CronDeps,
  store: CronJobsStore,
  job: CronJob,
  now = new Date(),
): Promise<CronJob | undefined> {
  store.update(job.id, (j) => ({ ...j, state: 'running' }));
  const controller = new AbortController();
  const timeoutMs = Number(rt.env.HERMES_CRON_TIMEOUT ?? 600) * 1000;
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
  return store.update(job.id, (j) => ({
    ...j,
    ...nextState(j, now),
    last_run_at: now.toISOString(),
    last_status: status,
    last_error: problems.length ? problems.join('; ') : null,
  }));
}

/** Every enabled, scheduled job whose time has come. */
export function dueJobs(store: CronJobsStore, now: Date): CronJob[] {
  return store
    .list()
    .filter(
      (j) =>
        j.enabled &&
        j.state === 'scheduled' &&
        j.next_run_at !== null &&
        new Date(j.next_run_at).getTime() <= now.getTime(),
    );
}

/**
 * The gateway's cron ticker: every `tickMs` (60 s by default, HERMES_CRON_TICK_SECONDS to change) it runs
 * the due jobs one after another. A tick never overlaps the previous one.
 */
export function startCronTicker(rt: CronDeps, store: CronJobsStore, tickMs: number): () => void {
  let busy = false;
  const tick = async () => {
    if (busy || rt.shuttingDown) return;
    busy = true;
    try {
      for (const job of dueJobs(store, new Date())) {
        rt.logger.info('cron job running', { id: job.id, name: job.name });
        const after = await runCronJob(rt, store, job);
        rt.logger.info('cron job finished', {
          id: job.id,
          status: after?.last_status,
          next: after?.next_run_at,
        });
      }
    } catch (err) {
      rt.logger.error('cron tick failed', { error: (err as Error).message });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
