import { postgresAvailability } from '@hermes/state-postgres/testing';
import { it } from 'vitest';

// vitest.postgres.config.ts runs this file only when PostgreSQL cannot run here: the host suite's second run
// then reports itself skipped with the reason (never a silent pass).
const postgres = postgresAvailability();
const reason = postgres.ok ? 'PostgreSQL became available after the config was read' : postgres.reason;

it.skip(`the host suite on PostgreSQL (skipped: ${reason})`, () => {});
