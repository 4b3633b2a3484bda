import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, type MemoryLogger, type PlatformKind } from '@hermes/adapter-core';
import { createAgent, createTerminalTool } from '@hermes/agent';
import { type FakeOpenAI, startFakeOpenAI } from '@hermes/agent/testing';
import pg from 'pg';
import { loadConfig } from '../../src/config/load.js';
import { createCronTool } from '../../src/cron/cron-tool.js';
import { CronJobsStore } from '../../src/cron/jobs-store.js';
import { GatewayHost } from '../../src/host/gateway-host.js';
import { conventionalProfile } from '../../src/platforms/platform-profile.js';
import { platformAgentTools } from '../../src/platforms/platform-tools.js';
import type { Skill } from '../../src/skills/skill-library.js';
import { createSkillTool } from '../../src/skills/skill-tool.js';
import type { Db } from '../../src/state/db.js';
import { openPostgresStorage } from '../../src/state/postgres/index.js';
import { freshSchemaUrl } from '../../src/state/postgres/test-support/pg-fixture.js';
import { SqliteStorage } from '../../src/state/sqlite-storage.js';
import type { StateStorage } from '../../src/state/storage.js';
import { askClarify, createClarifyTool } from '../../src/turn/clarify.js';
import { MemoryAdapter } from './memory-adapter.js';

export interface Harness {
  home: string;
  /** The agent's working directory: replies may attach files from here. */
  workDir: string;
  fake: FakeOpenAI;
  adapter: MemoryAdapter;
  host: GatewayHost;
  logger: MemoryLogger;
  close(): Promise<void>;
}

/**
 * HERMES_TEST_STATE=postgres runs the host suite on the PostgreSQL engine (`vitest.postgres.config.ts`): each
 * HERMES_HOME gets its own schema, kept for a restart in the same home, as state.db would be.
 */
export const onPostgres = process.env.HERMES_TEST_STATE === 'postgres';
const schemas = new Map<string, Promise<string>>();

function postgresSchemaFor(home: string): Promise<string> {
  let url = schemas.get(home);
  if (!url) {
    url = freshSchemaUrl().then((s) => s.url);
    schemas.set(home, url);
  }
  return url;
}

/** A host on a temp HERMES_HOME with one in-memory platform and the fake OpenAI-compatible model. */
export async function startHarness(
  options: {
    env?: Record<string, string>;
    files?: Record<string, string>;
    adapter?: MemoryAdapter;
    extraAdapters?: MemoryAdapter[];
    home?: string;
    fake?: FakeOpenAI;
    kinds?: Record<string, PlatformKind>;
    livenessCheckMs?: number;
    staleReplies?: { everyMs: number; afterMs: number };
    skills?: Skill[];
    /** A state storage of the test's own (replicas on one PostgreSQL); default: by HERMES_TEST_STATE. */
    storage?: StateStorage;
    /** Give the agent the adapters' own tools (`capabilities.agentTools`), routed as the gateway routes them. */
    platformTools?: boolean;
  } = {},
): Promise<Harness> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'hermes-host-'));
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const workDir = join(home, 'work');
  mkdirSync(workDir, { recursive: true });
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(home, name), text);
  const fake = options.fake ?? (await startFakeOpenAI());
  const config = loadConfig({
    HERMES_HOME: home,
    MEMORY_ALLOWED_USERS: 'user-1',
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'test-key',
    HERMES_MODEL: 'fake-model',
    ...options.env,
  });
  const logger = createMemoryLogger();
  const adapter = options.adapter ?? new MemoryAdapter();
  const storage =
    options.storage ?? (onPostgres ? await openPostgresStorage(await postgresSchemaFor(home)) : undefined);
  const agent = createAgent({
    baseURL: fake.baseURL,
    apiKey: 'test-key',
    model: 'fake-model',
    maxRetries: 0,
    tools: [
      createTerminalTool(),
      // The host's jobs: the shared state's when the storage has replicas, else cron/jobs.json.
      createCronTool(new CronJobsStore(config.paths.cronDir, storage)),
      createClarifyTool((req) => askClarify(host.runtime, req)),
      ...(options.skills ? [createSkillTool(options.skills)] : []),
      ...(options.platformTools
        ? platformAgentTools([adapter, ...(options.extraAdapters ?? [])], (p) => host.agentToolRoute(p))
        : []),
    ],
  });
  const host = new GatewayHost({
    config,
    ...(storage ? { storage } : {}),
    logger,
    agent,
    adapters: [adapter, ...(options.extraAdapters ?? [])],
    adapterRetry: { firstMs: 50, maxMs: 200 },
    ...(options.livenessCheckMs ? { livenessCheckMs: options.livenessCheckMs } : {}),
    ...(options.staleReplies ? { staleReplies: options.staleReplies } : {}),
    workDir,
    ...(options.skills ? { skills: options.skills } : {}),
    ...(options.kinds
      ? {
          profiles: Object.fromEntries(
            Object.entries(options.kinds).map(([p, kind]) => [p, conventionalProfile(p, kind)]),
          ),
        }
      : {}),
  });
  await host.start();
  return {
    home,
    workDir,
    fake,
    adapter,
    host,
    logger,
    async close() {
      await host.stop(2000);
      if (!options.fake) await fake.close();
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The host's state.db, for tests that look at or damage the SQLite file itself. */
export function stateDbOf(host: GatewayHost): Db {
  const storage = host.runtime.storage;
  if (!(storage instanceof SqliteStorage))
    throw new Error(`this test needs SQLite state, not ${storage.engine}`);
  return storage.db;
}

/** The state of every inbound journal row, on either engine. */
export async function inboundStates(h: Harness): Promise<string[]> {
  if (!onPostgres)
    return (stateDbOf(h.host).prepare('SELECT state FROM inbound').all() as Array<{ state: string }>).map(
      (r) => r.state,
    );
  const client = new pg.Client({ connectionString: await postgresSchemaFor(h.home) });
  await client.connect();
  try {
    return (await client.query<{ state: string }>('SELECT state FROM inbound')).rows.map((r) => r.state);
  } finally {
    await client.end();
  }
}
