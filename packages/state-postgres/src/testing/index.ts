export {
  findPostgresBinDir,
  type PostgresAvailability,
  postgresAvailability,
  postgresStatusFile,
  type RunAs,
} from './postgres-availability.js';
export {
  type StartTestPostgresOptions,
  startTestPostgres,
  type TestPostgres,
} from './start-test-postgres.js';
