import { postgresAvailability, startTestPostgres, type TestPostgres } from '@hermes/state-postgres/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway cluster the PostgreSQL suites share ('' when unavailable). */
    gatewayPostgresUrl: string;
  }
}

/**
 * One throwaway cluster for the gateway's whole test run (a start costs seconds; files isolate by schema).
 * Where PostgreSQL is not installed this is a file read and a readdir, and the PostgreSQL suites report
 * themselves skipped with the reason.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: TestPostgres | undefined;
  if (postgresAvailability().ok) server = await startTestPostgres();
  project.provide('gatewayPostgresUrl', server?.url ?? '');
  return async () => {
    await server?.stop();
  };
}
