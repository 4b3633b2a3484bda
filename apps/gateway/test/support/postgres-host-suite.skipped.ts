import { postgresAvailability } from '@hermes/state-postgres/testing';
import { it } from 'vitest';

const postgres = postgresAvailability();

it.skip(`the host suite on PostgreSQL (skipped: ${postgres.ok ? 'not skipped' : postgres.reason})`, () => {});
