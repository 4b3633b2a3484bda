export { type ConnectionTarget, connectionTarget } from './connection-target.js';
export {
  StatePostgresStorageError,
  type StatePostgresStorageErrorCode,
  storageErrorFrom,
} from './errors.js';
export { PgExecutor, type Queryable, type Statement } from './executor.js';
export { connectState, openPostgresStorage, type PostgresStorageOptions } from './open-postgres-storage.js';
export { STATE_SCOPE, STATE_TABLES, stateMigrations } from './schema.js';
