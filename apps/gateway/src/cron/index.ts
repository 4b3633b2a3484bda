export { dueJobs, resolveCronTargets, runCronJob, startCronTicker } from './cron-runner.js';
export { createCronTool } from './cron-tool.js';
export { type CronJob, type CronJobState, CronJobsStore } from './jobs-store.js';
export { type CronSchedule, nextRunAfter, parseSchedule, ScheduleError } from './schedule.js';
