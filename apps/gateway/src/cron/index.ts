export {
  cronTimeoutMs,
  dueJobs,
  resolveCronTargets,
  runCronJob,
  staleClaimMs,
  startCronTicker,
} from './cron-runner.js';
export { createCronTool } from './cron-tool.js';
export {
  type ClaimOptions,
  CRON_JOBS_KEY,
  type CronJob,
  type CronJobState,
  CronJobsStore,
  isDue,
  type NewCronJob,
} from './jobs-store.js';
export { type CronSchedule, nextRunAfter, parseSchedule, ScheduleError } from './schedule.js';
