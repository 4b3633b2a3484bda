export { type LaneRunContext, type LaneRunner, LaneScheduler, type SubmitResult } from './lane-scheduler.js';
export { Semaphore } from './semaphore.js';
