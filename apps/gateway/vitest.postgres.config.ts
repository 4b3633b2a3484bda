import { postgresAvailability } from '@hermes/state-postgres/testing';
import { defineConfig } from 'vitest/config';

const postgres = postgresAvailability();

/**
 * The host suite again, on the PostgreSQL engine (issue 15: every host test passes against both stores).
 * Where PostgreSQL cannot run, one test reports the run skipped with the reason instead.
 */
export default defineConfig({
  test: {
    include: postgres.ok ? ['test/*.test.ts'] : ['test/support/postgres-host-suite.skipped.ts'],
    globalSetup: ['src/state/postgres/test-support/global-setup.ts'],
    env: { HERMES_TEST_STATE: 'postgres' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
