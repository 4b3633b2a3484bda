import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWecomFakeServer, type WecomFakeServer } from '@hermes/adapter-wecom/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayProcess, gatewayEnv, hermes, startGatewayProcess } from './gateway-process.js';

let home: string;
let fake: FakeOpenAI;
let wecom: WecomFakeServer;
let gateway: GatewayProcess | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  wecom = await startWecomFakeServer();
});
afterAll(async () => {
  await fake?.close();
  await wecom?.close();
});
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-wecom-'));
  writeFileSync(join(home, 'config.yaml'), 'display:\n  tool_progress: all\n');
  env = gatewayEnv(home, {
    WECOM_BOT_ID: wecom.botId,
    WECOM_SECRET: wecom.secret,
    WECOM_WEBSOCKET_URL: wecom.url,
    WECOM_DM_POLICY: 'open',
    HERMES_MEDIA_ALLOW_PRIVATE: 'true',
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-test-e2e-wecom-key',
    HERMES_MODEL: 'fake-model',
  });
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  rmSync(home, { recursive: true, force: true });
});

async function startGateway(): Promise<GatewayProcess> {
  const subscriptions = wecom.subscriptions.length;
  const g = startGatewayProcess(env);
  await g.waitForLog(/gateway running/, 30_000);
  await wecom.waitForSubscribe(subscriptions + 1, 15_000);
  return g;
}

const repliesTo = (chatId: string) =>
  wecom.replies.filter((r) => r.chatId === chatId && r.errcode === 0).map((r) => r.content ?? '');
const waitReply = (chatId: string, match: (t: string) => boolean, what: string, timeoutMs = 15_000) =>
  wecom.waitUntil(() => repliesTo(chatId).find(match), timeoutMs, what);

describe('the gateway process with the WeCom adapter (real protocol, fake WeCom) and the fake model', () => {
  it('pairs an unknown user through `hermes pairing approve` while the gateway runs', async () => {
    gateway = await startGateway();
    wecom.deliverText('hello', { from: 'zhangsan', chatId: 'zhangsan' });
    const notice = await waitReply('zhangsan', (t) => t.includes('pairing code'), 'pairing code');
    const code = /`([A-Z2-9]{8})`/.exec(notice)?.[1];
    expect(code).toBeDefined();
    const listed = hermes(['pairing', 'list'], env);
    expect(listed.stdout).toContain('wecom  user zhangsan');
    expect(listed.stdout).not.toContain(code!);
    const approved = hermes(['pairing', 'approve', 'wecom', code!], env);
    expect(approved.code).toBe(0);
    fake.script(step.text('Welcome aboard.'));
    const inbound = wecom.deliverText('hello again', { from: 'zhangsan', chatId: 'zhangsan' });
    await waitReply('zhangsan', (t) => t === 'Welcome aboard.', 'reply after approval');
    // Answered passively, on the callback's own req_id.
    const reply = wecom.replies.find((r) => r.content === 'Welcome aboard.');
    expect(reply?.via).toBe('respond');
    expect(reply?.reqId).toBe(inbound.reqId);
  });

  it('interrupts a run and answers the messages that arrived meanwhile in one turn', async () => {
    env.WECOM_ALLOWED_USERS = 'lisi';
    gateway = await startGateway();
    const before = fake.requests.length;
    fake.script(step.hang(), step.text('Answered both.'));
    wecom.deliverText('first question', { from: 'lisi', chatId: 'lisi' });
    await fake.waitForRequests(before + 1, 10_000);
    wecom.deliverText('second question', { from: 'lisi', chatId: 'lisi' });
    wecom.deliverText('third question', { from: 'lisi', chatId: 'lisi' });
    await waitReply('lisi', (t) => t === 'Answered both.', 'combined reply');
    const last = fake.requests.at(-1)!.body.messages.at(-1)!;
    expect(String(last.content)).toBe('second question\nthird question');
    expect(repliesTo('lisi')).toEqual(['Answered both.']);
  });

  it('asks before a dangerous command, shows tool progress, and runs it after /approve', async () => {
    env.WECOM_ALLOWED_USERS = 'wangwu';
    gateway = await startGateway();
    fake.script(
      step.toolCall('terminal', { command: `rm -rf ${join(home, 'scratch')}` }),
      step.text('Cleaned up.'),
    );
    wecom.deliverText('clean the scratch dir', { from: 'wangwu', chatId: 'wangwu' });
    await waitReply('wangwu', (t) => t.includes('Dangerous command requires approval'), 'approval prompt');
    wecom.deliverText('/approve', { from: 'wangwu', chatId: 'wangwu' });
    await waitReply('wangwu', (t) => t === 'Cleaned up.', 'final reply');
    expect(repliesTo('wangwu').some((t) => t.includes('💻 terminal'))).toBe(true);
  });

  it('fires an idle reset policy and tells the user', async () => {
    env.WECOM_ALLOWED_USERS = 'zhaoliu';
    writeFileSync(join(home, 'config.yaml'), 'session_reset:\n  mode: idle\n  idle_minutes: 30\n');
    gateway = await startGateway();
    fake.script(step.text('Noted.'), step.text('Fresh start.'));
    wecom.deliverText('remember 7', { from: 'zhaoliu', chatId: 'zhaoliu' });
    await waitReply('zhaoliu', (t) => t === 'Noted.', 'first reply');
    // Age the session as if 31 minutes passed; the running gateway shares state.db (WAL) with us.
    const db = new Database(join(home, 'state.db'));
    db.prepare('UPDATE sessions SET updated_at = updated_at - ?').run(31 * 60_000);
    db.close();
    wecom.deliverText('what was the number?', { from: 'zhaoliu', chatId: 'zhaoliu' });
    await waitReply('zhaoliu', (t) => t === 'Fresh start.', 'reply after reset');
    expect(repliesTo('zhaoliu').some((t) => t.startsWith('◐ Session automatically reset'))).toBe(true);
    const contents = fake.requests.at(-1)!.body.messages.map((m) => String(m.content));
    expect(contents.some((c) => c.includes('remember 7'))).toBe(false);
  });

  it('after kill -9 mid-turn, answers the acknowledged message once and never repeats a delivered reply', async () => {
    env.WECOM_ALLOWED_USERS = 'sunqi';
    gateway = await startGateway();
    fake.script(step.text('Delivered before the crash.'));
    wecom.deliverText('one', { from: 'sunqi', chatId: 'sunqi' });
    await waitReply('sunqi', (t) => t === 'Delivered before the crash.', 'first reply');
    const before = fake.requests.length;
    fake.script(step.hang());
    wecom.deliverText('answer me even if you crash', { from: 'sunqi', chatId: 'sunqi' });
    await fake.waitForRequests(before + 1, 10_000);
    await gateway.kill9();
    fake.script(step.text('Answered after the restart.'));
    gateway = await startGateway();
    await waitReply('sunqi', (t) => t === 'Answered after the restart.', 'reply after restart', 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(repliesTo('sunqi').filter((t) => t === 'Delivered before the crash.')).toHaveLength(1);
    expect(repliesTo('sunqi').filter((t) => t === 'Answered after the restart.')).toHaveLength(1);
    const replayed = fake.requests.at(-1)!.body.messages;
    expect(String(replayed.at(-1)!.content)).toBe('answer me even if you crash');
    // Recovery is idempotent: the interrupted message is in the history once, with no fragment of the lost run.
    expect(replayed.filter((m) => String(m.content) === 'answer me even if you crash')).toHaveLength(1);
    expect(replayed.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual([
      'Delivered before the crash.',
    ]);
  });

  it('delivers a cron job to the home channel set with /sethome', async () => {
    env.WECOM_ALLOWED_USERS = 'zhouba';
    env.HERMES_CRON_TICK_SECONDS = '0.5';
    gateway = await startGateway();
    wecom.deliverText('/sethome', { from: 'zhouba', chatId: 'zhouba' });
    await waitReply('zhouba', (t) => t.startsWith('✅ Home channel set'), 'sethome reply');
    const created = hermes(
      [
        'cron',
        'create',
        'every 1h',
        'Give',
        'the',
        'daily',
        'status',
        '--name',
        'daily status',
        '--deliver',
        'wecom',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const id = /Created ([0-9a-f]{12})/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    fake.script(step.text('All systems normal.'));
    expect(hermes(['cron', 'run', id!], env).code).toBe(0);
    await waitReply('zhouba', (t) => t.includes('All systems normal.'), 'cron delivery');
    const reply = wecom.replies.find((r) => r.content?.includes('All systems normal.'));
    expect(reply?.chatId).toBe('zhouba');
    expect(reply?.content).toContain('daily status');
    const listed = hermes(['cron', 'list'], env);
    expect(listed.stdout).toMatch(new RegExp(`${id}.*last ok`));
  });

  it('on SIGTERM mid-turn exits 0 within the drain bound, and answers the message once after restart', async () => {
    env.WECOM_ALLOWED_USERS = 'wujiu';
    gateway = await startGateway();
    const before = fake.requests.length;
    fake.script(step.hang());
    wecom.deliverText('long job', { from: 'wujiu', chatId: 'wujiu' });
    await fake.waitForRequests(before + 1, 10_000);
    const started = Date.now();
    expect(await gateway.stop(20_000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(repliesTo('wujiu')).toEqual([]);
    fake.script(step.text('Done after the restart.'));
    gateway = await startGateway();
    await waitReply('wujiu', (t) => t === 'Done after the restart.', 'reply after restart', 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(repliesTo('wujiu')).toEqual(['Done after the restart.']);
    // The replayed turn starts clean: one 'long job' user message in its history, not two.
    const users = fake.requests
      .at(-1)!
      .body.messages.filter((m) => m.role === 'user')
      .map((m) => String(m.content));
    expect(users).toEqual(['long job']);
  });
});
