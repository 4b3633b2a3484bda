import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runCronJob } from '../src/cron/cron-runner.js';
import { parseSchedule } from '../src/cron/schedule.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('cron', () => {
  it('lets the agent schedule a job from a chat; the run delivers to that chat and reschedules', async () => {
    h = await startHarness();
    h.fake.script(
      step.toolCall('cronjob', {
        action: 'create',
        schedule: 'every 1h',
        prompt: 'Summarise the news',
        name: 'news',
      }),
      step.text('Scheduled it.'),
    );
    h.adapter.inject({ text: 'every hour, summarise the news for me', chatId: 'chat-7' });
    await waitFor(() => h!.adapter.texts().includes('Scheduled it.'), 'confirmation');
    const [job] = await h.host.cron.list();
    expect(job).toMatchObject({
      name: 'news',
      deliver: 'origin',
      origin: { platform: 'memory', chat_id: 'chat-7' },
      state: 'scheduled',
    });
    h.fake.script(step.text('Three things happened.'));
    const after = await runCronJob(h.host.runtime, h.host.cron, job!);
    const delivered = h.adapter.sent.find((s) => s.message.text?.includes('Three things happened.'));
    expect(delivered?.chat.chatId).toBe('chat-7');
    expect(delivered?.message.text).toContain('⏰ **news**');
    expect(after).toMatchObject({ last_status: 'ok', state: 'scheduled', repeat: { completed: 1 } });
    expect(new Date(after!.next_run_at!).getTime()).toBeGreaterThan(Date.now());
    expect(readdirSync(join(h.home, 'cron', 'output', job!.id))).toHaveLength(1);
    // A cron run has no chat history: the job's prompt is the whole input.
    expect(
      h.fake.requests
        .at(-1)!
        .body.messages.filter((m) => m.role === 'user')
        .map((m) => String(m.content)),
    ).toEqual(['Summarise the news']);
  });

  it('delivers to a platform home channel, reports a missing one, and stays silent on [SILENT]', async () => {
    h = await startHarness({ env: { MEMORY_HOME_CHANNEL: 'home-1' } });
    const base = {
      prompt: 'ping',
      schedule: parseSchedule('30m'),
      repeat: { times: null, completed: 0 },
      next_run_at: new Date().toISOString(),
    };
    const home = await h.host.cron.add({ ...base, name: 'to-home', deliver: 'memory' });
    h.fake.script(step.text('pong'));
    await runCronJob(h.host.runtime, h.host.cron, home);
    expect(h.adapter.sent.find((s) => s.message.text?.includes('pong'))?.chat.chatId).toBe('home-1');
    expect((await h.host.cron.get(home.id))?.state).toBe('completed');
    const nowhere = await h.host.cron.add({ ...base, name: 'nowhere', deliver: 'telegram' });
    h.fake.script(step.text('lost?'));
    const failed = await runCronJob(h.host.runtime, h.host.cron, nowhere);
    expect(failed?.last_status).toBe('delivery_failed');
    expect(failed?.last_error).toContain('TELEGRAM_HOME_CHANNEL is not set');
    const quiet = await h.host.cron.add({ ...base, name: 'quiet', deliver: 'memory' });
    const before = h.adapter.sent.length;
    h.fake.script(step.text('[SILENT]'));
    await runCronJob(h.host.runtime, h.host.cron, quiet);
    expect(h.adapter.sent.length).toBe(before);
  });

  it('runs due jobs from the gateway ticker', async () => {
    h = await startHarness({ env: { HERMES_CRON_TICK_SECONDS: '0.2', MEMORY_HOME_CHANNEL: 'home-2' } });
    h.fake.script(step.text('tick tock'));
    await h.host.cron.add({
      name: 'soon',
      prompt: 'say tick',
      schedule: parseSchedule('every 1h'),
      deliver: 'memory',
      repeat: { times: 1, completed: 0 },
      next_run_at: new Date(Date.now() - 1000).toISOString(),
    });
    await waitFor(() => h!.adapter.texts().some((t) => t.includes('tick tock')), 'ticker run', 5000);
    await waitFor(
      async () => (await h!.host.cron.list())[0]?.state === 'completed',
      'completed after its one repeat',
    );
  });
});
