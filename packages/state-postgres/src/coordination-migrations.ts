import type { Migration } from './migrations.js';

/** Scope of this package's own tables in `schema_migrations`. */
export const COORDINATION_SCOPE = 'coordination';

/**
 * The coordination tables. Tokens come from one sequence, never reset, so a fencing token is larger than
 * every token ever issued before it, for any lease name, even after a lease row is deleted.
 */
export const coordinationMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'leases',
    sql: `
CREATE SEQUENCE hermes_lease_tokens AS bigint;
CREATE TABLE hermes_leases (
  name        text        PRIMARY KEY,
  owner       text        NOT NULL,
  token       bigint      NOT NULL,
  ttl_ms      integer     NOT NULL,
  acquired_at timestamptz NOT NULL,
  renewed_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);`,
  },
  {
    version: 2,
    name: 'work-queue',
    sql: `
CREATE TABLE hermes_work (
  id            bigserial   PRIMARY KEY,
  queue         text        NOT NULL,
  payload       jsonb       NOT NULL,
  enqueued_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  available_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  attempts      integer     NOT NULL DEFAULT 0,
  claimed_by    text,
  claimed_until timestamptz,
  done_at       timestamptz
);
CREATE INDEX hermes_work_pending ON hermes_work (queue, available_at, id) WHERE done_at IS NULL;`,
  },
];
