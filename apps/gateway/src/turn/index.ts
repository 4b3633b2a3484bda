export {
  BUSY_INPUT_MODES,
  type BusyInputMode,
  type BusyModeResolution,
  isBusyInputMode,
  resolveBusyInputMode,
} from './busy-mode.js';
export { type LaneRunContext, type LaneRunner, LaneScheduler, type SubmitResult } from './lane-scheduler.js';
export { Semaphore } from './semaphore.js';
