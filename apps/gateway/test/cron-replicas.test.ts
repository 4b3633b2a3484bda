import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeOpenAI, lastUserText, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cronCommand } from '../src/cli/cron.js';
import { parseSchedule } from '../src/cron/schedule.js';
import { openPostgresStorage } from '../src/state/postgres/index.js';
import { freshSchemaUrl, pgSuiteName, postgres } from '../src/state/postgres/test-support/pg-fixture.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';

/**
 * Cron across replicas: two hosts on one PostgreSQL, each with its own HERMES_HOME and its own fake model, so
 * which replica ran a job is visible in which model was asked. Both tick every 100 ms over the shared jobs.
 */
const suite = describe.skipIf(!postgres.ok);

const hosts: Harness[] = [];
const fakes: FakeOpenAI[] = [];
const dirs: string[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const h of hosts.splice(0)) await h.close();
  for (const f of fakes.splice(0)) await f.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function replica(url: string, replicaId: string): Promise<Harness> {
  const fake = await startFakeOpenAI();
  // A model that takes a moment, so both replicas' ticks overlap while a run is in progress.
  fake.setDefault((request) => [step.delay(150), step.text(`ran: ${lastUserText(request)}`)]);
  fakes.push(fake);
  const h = await startHarness({
    fake,
    storage: await openPostgresStorage(url, { replicaId }),
    env: { HERMES_CRON_TICK_SECONDS: '0.1', HERMES_CONNECTION_LEASE_SECONDS: '2' },
  });
  hosts.push(h);
  return h;
}

/** How many model calls carried this prompt as the user's message: one per run of the job. */
const runsOf = (prompt: string): number =>
  fakes.flatMap((f) => f.requests).filter((r) => lastUserText(r.body) === prompt).length;

const outputsOf = (h: Harness, id: string): number => {
  const dir = join(h.home, 'cron', 'output', id);
  return existsSync(dir) ? readdirSync(dir).length : 0;
};

suite(pgSuiteName('cron across replicas'), () => {
  it('runs each due occurrence exactly once, on one replica or the other', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const prompts = ['one', 'two', 'three', 'four'].map((p) => `cron ${p}`);
    const jobs = [];
    for (const prompt of prompts)
      jobs.push(
        await a.host.cron.add({
          name: prompt,
          prompt,
          schedule: parseSchedule('every 1h'),
          deliver: 'local',
          repeat: { times: null, completed: 0 },
          next_run_at: new Date(Date.now() - 1000).toISOString(),
        }),
      );
    await waitFor(
      async () => (await b.host.cron.list()).every((j) => j.last_status === 'ok' && j.state === 'scheduled'),
      'every job run and rescheduled',
      15_000,
    );
    // A few more ticks of both replicas: nothing runs again.
    await new Promise((r) => setTimeout(r, 500));
    for (const prompt of prompts) expect(runsOf(prompt), prompt).toBe(1);
    for (const j of await a.host.cron.list()) {
      expect(j.repeat.completed).toBe(1);
      expect(j).not.toHaveProperty('claimed_by');
      expect(new Date(j.next_run_at!).getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    }
    // Each run's output is on the replica that ran it, and only there.
    for (const j of jobs) expect(outputsOf(a, j.id) + outputsOf(b, j.id)).toBe(1);
  });

  it('lists and runs a job scheduled through replica A on replica B once A is gone (hermes cron on the shared store)', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    fakes[0]!.script(
      step.toolCall('cronjob', {
        action: 'create',
        schedule: 'every 1h',
        prompt: 'Report the weather',
        name: 'weather',
        deliver: 'local',
      }),
      step.text('Scheduled it.'),
    );
    // The memory platform is an exclusive connection: A starts it once it holds the lease.
    await waitFor(() => a.adapter.ctx !== undefined, 'replica A holding the connection');
    a.adapter.inject({ text: 'every hour, report the weather', chatId: 'chat-1' });
    await waitFor(() => a.adapter.texts().includes('Scheduled it.'), 'the job scheduled on A');
    await a.close();
    hosts.splice(hosts.indexOf(a), 1);

    const b = await replica(url, 'replica-b');
    const [job] = await b.host.cron.list();
    expect(job).toMatchObject({ name: 'weather', state: 'scheduled', origin: { chat_id: 'chat-1' } });

    // The operator's CLI, from a third HERMES_HOME, sees and changes the same jobs through the state URL.
    const cliHome = mkdtempSync(join(tmpdir(), 'hermes-cli-'));
    dirs.push(cliHome);
    vi.stubEnv('HERMES_HOME', cliHome);
    vi.stubEnv('HERMES_DATABASE_URL', url);
    const lines: string[] = [];
    expect(await cronCommand('list', [], {}, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain(`${job!.id}  weather  [scheduled]`);
    expect(await cronCommand('run', ['weather'], {}, (l) => lines.push(l))).toBe(0);
    expect(existsSync(join(cliHome, 'cron', 'jobs.json'))).toBe(false);

    const after = await waitFor(
      async () => {
        const j = await b.host.cron.get(job!.id);
        return j?.last_status ? j : undefined;
      },
      'the job run on B',
      10_000,
    );
    expect(after).toMatchObject({ last_status: 'ok', state: 'scheduled', repeat: { completed: 1 } });
    expect(fakes[0]!.requests.filter((r) => lastUserText(r.body) === 'Report the weather')).toHaveLength(0);
    expect(fakes[1]!.requests.filter((r) => lastUserText(r.body) === 'Report the weather')).toHaveLength(1);
    expect(outputsOf(b, job!.id)).toBe(1);
  });
});
