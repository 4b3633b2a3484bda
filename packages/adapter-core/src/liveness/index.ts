export { judgeLiveness, LivenessTracker, STALL_HEARTBEATS, type StallVerdict } from './liveness-tracker.js';
