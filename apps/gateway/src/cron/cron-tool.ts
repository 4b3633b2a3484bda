import { type AgentTool, defineTool } from '@hermes/agent';
import { z } from 'zod';
import { deliverTargetsProblem } from './deliver-targets.js';
import type { CronJob, CronJobsStore } from './jobs-store.js';
import { nextRunAfter, parseSchedule, ScheduleError } from './schedule.js';

function describeJob(j: CronJob): string {
  return `${j.id} "${j.name}" ${j.schedule.display} → ${j.deliver} [${j.enabled ? j.state : 'paused'}]${j.next_run_at ? ` next ${j.next_run_at}` : ''}${j.last_status ? ` last ${j.last_status}` : ''}`;
}

/**
 * The agent's `cronjob` tool (spec 5.5): create, list, pause, resume, run or remove scheduled prompts.
 * Jobs created from a chat deliver to that chat by default. Cron runs cannot schedule more cron jobs.
 */
export function createCronTool(store: CronJobsStore): AgentTool {
  return defineTool({
    name: 'cronjob',
    emoji: '⏰',
    description:
      'Schedule a prompt to run later or repeatedly, with its answer delivered to a chat. action=create needs ' +
      'schedule ("30m" once after a delay, "every 2h", a cron expression like "0 9 * * 1-5", or an ISO time) and ' +
      'a self-contained prompt (the run has no chat history); deliver defaults to "origin" (this chat), or ' +
      '"<platform>" for its home channel, or "<platform>:<chat_id>". Other actions take the job id.',
    schema: z.object({
      action: z.enum(['create', 'list', 'pause', 'resume', 'run', 'remove']),
      schedule: z.string().optional(),
      prompt: z.string().optional(),
      name: z.string().optional(),
      deliver: z.string().optional(),
      repeat: z.number().int().positive().optional().describe('How many runs in all; unlimited when absent'),
      id: z.string().optional(),
    }),
    preview: (args) =>
      `${args.action}${args.schedule ? ` ${args.schedule}` : ''}${args.id ? ` ${args.id}` : ''}`,
    async execute(args, ctx) {
      if (ctx.sessionKey.startsWith('agent:main:cron:'))
        return { ok: false, output: 'Cron runs cannot manage cron jobs.' };
      if (args.action === 'list') {
        const jobs = await store.list();
        return { ok: true, output: jobs.length ? jobs.map(describeJob).join('\n') : 'No cron jobs.' };
      }
      if (args.action === 'create') {
        if (!args.schedule || !args.prompt) return { ok: false, output: 'create needs schedule and prompt.' };
        const deliverProblem = args.deliver === undefined ? undefined : deliverTargetsProblem(args.deliver);
        if (deliverProblem) return { ok: false, output: deliverProblem };
        try {
          const schedule = parseSchedule(args.schedule);
          const next = nextRunAfter(schedule, new Date());
          const platform = typeof ctx.context.platform === 'string' ? ctx.context.platform : undefined;
          const chatId = typeof ctx.context.chatId === 'string' ? ctx.context.chatId : undefined;
          const threadId = typeof ctx.context.threadId === 'string' ? ctx.context.threadId : undefined;
          const job = await store.add({
            name: args.name ?? args.prompt.slice(0, 40),
            prompt: args.prompt,
            schedule,
            deliver: args.deliver ?? (platform && chatId ? 'origin' : 'local'),
            repeat: { times: args.repeat ?? null, completed: 0 },
            next_run_at: next ? next.toISOString() : null,
            ...(platform && chatId
              ? { origin: { platform, chat_id: chatId, ...(threadId ? { thread_id: threadId } : {}) } }
              : {}),
          });
          return { ok: true, output: `Scheduled: ${describeJob(job)}` };
        } catch (err) {
          return {
            ok: false,
            output:
              err instanceof ScheduleError ? err.message : `Could not schedule: ${(err as Error).message}`,
          };
        }
      }
      if (!args.id) return { ok: false, output: `${args.action} needs the job id (action=list shows them).` };
      if (args.action === 'remove')
        return (await store.remove(args.id))
          ? { ok: true, output: `Removed ${args.id}.` }
          : { ok: false, output: `No job ${args.id}.` };
      const updated = await store.update(args.id, (j) => {
        if (args.action === 'pause') return { ...j, enabled: false };
        if (args.action === 'resume')
          return { ...j, enabled: true, state: j.state === 'completed' ? j.state : 'scheduled' };
        return { ...j, enabled: true, state: 'scheduled', next_run_at: new Date().toISOString() };
      });
      if (!updated) return { ok: false, output: `No job ${args.id}.` };
      return {
        ok: true,
        output: args.action === 'run' ? `Job ${updated.id} will run at the next tick.` : describeJob(updated),
      };
    },
  });
}
