import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeDingtalkServer, startFakeDingtalkServer } from '@hermes/adapter-dingtalk/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayProcess,
  gatewayEnv,
  hermesAsync,
  startGatewayProcess,
  until,
} from './gateway-process.js';

const GROUP = 'cidFakeGroup1';
/** DingTalk's per-message limit (README: 20,000 characters). */
const LIMIT = 20_000;

let home: string;
let fake: FakeOpenAI;
let dingtalk: FakeDingtalkServer;
let gateway: GatewayProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-dingtalk-'));
  fake = await startFakeOpenAI();
  dingtalk = await startFakeDingtalkServer();
  env = gatewayEnv(home, {
    DINGTALK_CLIENT_ID: dingtalk.clientId,
    DINGTALK_CLIENT_SECRET: dingtalk.clientSecret,
    DINGTALK_API_BASE: dingtalk.url,
    DINGTALK_ALLOWED_USERS: 'alice,bob',
    DINGTALK_REQUIRE_MENTION: 'true',
    DINGTALK_HOME_CHANNEL: 'alice',
    // Cron ticks every half second instead of every minute, so `hermes cron run` is picked up quickly.
    HERMES_CRON_TICK_SECONDS: '0.5',
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-test-e2e-dingtalk',
    HERMES_MODEL: 'fake-model',
  });
  gateway = startGatewayProcess(env);
  await gateway.waitForLog(/gateway running/, 30_000);
  await until(gateway, () => dingtalk.streamOnline, 'the Stream Mode socket');
}, 60_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await Promise.all([fake?.close(), dingtalk?.close()]);
  rmSync(home, { recursive: true, force: true });
});

const textsTo = (chatId: string) =>
  dingtalk
    .sentMessages()
    .filter((m) => m.chatId === chatId)
    .map((m) => m.text ?? '');

describe('the gateway process with DingTalk Stream Mode (real SDK, fake DingTalk) and the fake model', () => {
  it('answers a DM through its session webhook', async () => {
    fake.script(step.text('Hello Alice, from DingTalk.'));
    await dingtalk.deliverDm('hi dingtalk', { staffId: 'alice' });
    await until(gateway, () => textsTo('alice').includes('Hello Alice, from DingTalk.'), 'the DM reply');
    const send = dingtalk.sends.find((s) => s.accepted && s.text === 'Hello Alice, from DingTalk.');
    expect(send?.route).toBe('webhook');
    expect(String(fake.requests.at(-1)!.body.messages.at(-1)!.content)).toContain('hi dingtalk');
  });

  it('in a group answers only a message that mentions the bot', async () => {
    const before = fake.requests.length;
    await dingtalk.deliverGroup('talking among ourselves', { mention: false, staffId: 'bob' });
    fake.script(step.text('You called, group?'));
    await dingtalk.deliverGroup('can you help', { mention: true, staffId: 'bob' });
    await until(gateway, () => textsTo(GROUP).includes('You called, group?'), 'the group reply');
    // The stream is ordered: the unmentioned message came first and never reached the model.
    expect(fake.requests.length).toBe(before + 1);
    const prompt = JSON.stringify(fake.requests.at(-1)!.body.messages);
    expect(prompt).toContain('can you help');
    expect(prompt).not.toContain('talking among ourselves');
    expect(textsTo(GROUP)).toEqual(['You called, group?']);
  });

  it(`splits a long reply at ${LIMIT} characters without losing a word`, async () => {
    const words = Array.from({ length: 5000 }, (_, i) => `word${i}`);
    fake.script(step.text(words.join(' ')));
    await dingtalk.deliverDm('write a lot', { staffId: 'bob' });
    const chunks = await until(
      gateway,
      () => {
        const t = textsTo('bob');
        return t.join(' ').includes('word4999') && t;
      },
      'every chunk of the long reply',
      20_000,
    );
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(LIMIT);
    expect(
      chunks
        .join(' ')
        .split(/\s+/)
        .filter((w) => w.startsWith('word')),
    ).toEqual(words);
  });

  it("delivers a cron job to the home channel through the robot API once the chat's session webhook expired", async () => {
    // Alice's session webhook from the first test is refused from now on (as after DingTalk's ~90 minutes).
    dingtalk.expireSessions();
    const created = await hermesAsync(
      [
        'cron',
        'create',
        'every 1h',
        'Give',
        'the',
        'status',
        '--name',
        'daily status',
        '--deliver',
        'dingtalk',
      ],
      env,
    );
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const id = /Created ([0-9a-f]{12})/.exec(created.stdout)?.[1];
    expect(id, created.stdout).toBeDefined();
    fake.script(step.text('All systems normal.'));
    const ran = await hermesAsync(['cron', 'run', id!], env);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const delivered = await until(
      gateway,
      () => dingtalk.sends.find((s) => s.accepted && s.text.includes('All systems normal.')),
      'the cron output in the home channel',
    );
    expect(delivered.chatId).toBe('alice');
    // Sent proactively (robot/oToMessages/batchSend), not through the expired session webhook.
    expect(delivered.route).toBe('user');
    expect(delivered.text).toContain('daily status');
    const attempts = dingtalk.sends.filter((s) => s.text.includes('All systems normal.'));
    // The stale webhook was tried and refused first; the fallback delivered it once, not twice.
    expect(attempts.some((s) => s.route === 'webhook' && !s.accepted)).toBe(true);
    expect(attempts.filter((s) => s.accepted)).toHaveLength(1);
    // The job's state is written after the delivery: ask `hermes cron list` a few times (bounded).
    let listed = '';
    for (let i = 0; i < 20 && !new RegExp(`${id}.*last ok`).test(listed); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
      listed = (await hermesAsync(['cron', 'list'], env)).stdout;
    }
    expect(listed).toMatch(new RegExp(`${id}.*last ok`));
    expect(listed).toContain('daily status');
  });
});
