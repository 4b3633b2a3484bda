export { COORDINATION_SCOPE, coordinationMigrations } from './coordination-migrations.js';
export { isStatePostgresError, StatePostgresError, type StatePostgresErrorCode } from './errors.js';
export { LeaseKeeper, type LeaseKeeperOptions, type LeaseLostReason } from './lease-keeper.js';
export {
  type AcquireResult,
  assertLeaseHeld,
  type FencedWriteOptions,
  fencedWrite,
  type Lease,
  type LeaseInfo,
  LeaseManager,
  type LeaseManagerOptions,
  type RenewResult,
} from './leases.js';
export {
  MIGRATION_LOCK_KEY,
  type MigrateOptions,
  type MigrateResult,
  type Migration,
  migrate,
} from './migrations.js';
export {
  type ClaimOptions,
  startWorkWaiter,
  WORK_CHANNEL,
  type WorkItem,
  WorkQueue,
  type WorkWaiter,
  type WorkWaiterOptions,
} from './work-queue.js';
