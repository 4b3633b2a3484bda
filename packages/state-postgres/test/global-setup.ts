import type { TestProject } from 'vitest/node';
import { postgresAvailability, startTestPostgres, type TestPostgres } from '../src/testing/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the one throwaway cluster every test file shares ('' when unavailable). */
    postgresUrl: string;
  }
}

/** One cluster for the whole run (each start costs seconds on a busy machine); files isolate by schema. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: TestPostgres | undefined;
  if (postgresAvailability().ok) server = await startTestPostgres();
  project.provide('postgresUrl', server?.url ?? '');
  return async () => {
    await server?.stop();
  };
}
