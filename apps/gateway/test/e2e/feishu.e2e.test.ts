import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeFeishuServer, startFakeFeishuServer } from '@hermes/adapter-feishu/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, gatewayEnv, startGatewayProcess, until } from './gateway-process.js';

const ALICE = 'ou_alice0000000001';
const BOB = 'ou_bob00000000002';
const ALICE_DM = 'oc_dm_alice';
const BOB_DM = 'oc_dm_bob';
const GROUP = 'oc_group_team';
/** Feishu's per-message text limit the adapter splits at (README: 4000 characters). */
const LIMIT = 4000;

let home: string;
let fake: FakeOpenAI;
let feishu: FakeFeishuServer;
let gateway: GatewayProcess;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-feishu-'));
  fake = await startFakeOpenAI();
  feishu = await startFakeFeishuServer();
  gateway = startGatewayProcess(
    gatewayEnv(home, {
      FEISHU_APP_ID: feishu.appId,
      FEISHU_APP_SECRET: feishu.appSecret,
      FEISHU_DOMAIN: feishu.url,
      FEISHU_ALLOWED_USERS: `${ALICE},${BOB}`,
      FEISHU_REQUIRE_MENTION: 'true',
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: 'sk-test-e2e-feishu',
      HERMES_MODEL: 'fake-model',
    }),
  );
  await gateway.waitForLog(/gateway running/, 30_000);
  await until(gateway, () => feishu.connections > 0, 'the long connection to the fake Feishu');
}, 60_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await Promise.all([fake?.close(), feishu?.close()]);
  rmSync(home, { recursive: true, force: true });
});

const textsTo = (chatId: string) =>
  feishu
    .sentMessages()
    .filter((m) => m.chatId === chatId)
    .map((m) => m.text ?? '');

describe('the gateway process with Feishu over its long connection (real SDK, fake Feishu) and the fake model', () => {
  it('answers a DM', async () => {
    const before = fake.requests.length;
    fake.script(step.text('Hello Alice, from Feishu.'));
    await feishu.deliverDm('hi feishu', { chatId: ALICE_DM, fromUserId: ALICE });
    await until(gateway, () => textsTo(ALICE_DM).includes('Hello Alice, from Feishu.'), 'the DM reply');
    expect(fake.requests.length).toBe(before + 1);
    expect(String(fake.requests.at(-1)!.body.messages.at(-1)!.content)).toContain('hi feishu');
  });

  it('in a group answers only a message that mentions the bot', async () => {
    const before = fake.requests.length;
    await feishu.deliverGroup('talking among ourselves', { chatId: GROUP, fromUserId: BOB, mention: false });
    fake.script(step.text('You called, group?'));
    await feishu.deliverGroup('can you help', { chatId: GROUP, fromUserId: BOB, mention: true });
    await until(gateway, () => textsTo(GROUP).includes('You called, group?'), 'the group reply');
    // Events are pushed in order on one socket: the unmentioned one came first and never reached the model.
    expect(fake.requests.length).toBe(before + 1);
    const prompt = JSON.stringify(fake.requests.at(-1)!.body.messages);
    expect(prompt).toContain('can you help');
    expect(prompt).not.toContain('talking among ourselves');
    // The bot's own `@_user_1` placeholder is stripped before the model sees the text.
    expect(prompt).not.toContain('@_user_1');
    expect(textsTo(GROUP)).toEqual(['You called, group?']);
  });

  it(`splits a long reply at ${LIMIT} characters without losing a word`, async () => {
    const words = Array.from({ length: 1800 }, (_, i) => `word${i}`);
    fake.script(step.text(words.join(' ')));
    await feishu.deliverDm('write a lot', { chatId: BOB_DM, fromUserId: BOB });
    const chunks = await until(
      gateway,
      () => {
        const t = textsTo(BOB_DM);
        return t.join(' ').includes('word1799') && t;
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

  it('asks for a dangerous command on a card with buttons; pressing Approve once runs it and settles the card', async () => {
    const scratch = join(home, 'scratch-feishu');
    mkdirSync(scratch);
    fake.script(
      step.toolCall('terminal', { command: `rm -rf ${scratch}` }),
      step.text('Cleaned up from a card.'),
    );
    await feishu.deliverDm('clean up please', { chatId: ALICE_DM, fromUserId: ALICE });
    const card = await until(
      gateway,
      () =>
        feishu
          .sentMessages()
          .find(
            (m) =>
              m.chatId === ALICE_DM &&
              m.msgType === 'interactive' &&
              m.text?.includes('Dangerous command requires approval') &&
              (m.buttons?.length ?? 0) > 0,
          ),
      'the approval card with buttons',
    );
    // The turn waits on the approval: nothing has run yet.
    expect(existsSync(scratch)).toBe(true);
    expect(textsTo(ALICE_DM)).not.toContain('Cleaned up from a card.');
    const approve = card.buttons!.find((id) => id.endsWith(':once'));
    expect(approve, JSON.stringify(card.buttons)).toBeDefined();
    const press = feishu.pressButton(card.messageId, approve!, { fromUserId: ALICE });
    await until(
      gateway,
      () => textsTo(ALICE_DM).includes('Cleaned up from a card.'),
      'the reply after the button press',
    );
    // The press was acknowledged to Feishu over the long connection.
    expect(feishu.ackOfPress(press)).toBeDefined();
    // The approved command really ran.
    expect(existsSync(scratch)).toBe(false);
    // The card is redrawn without its buttons, with the outcome in their place.
    const settled = await until(
      gateway,
      () => feishu.edits.find((e) => e.messageId === card.messageId),
      'the card settled',
    );
    expect(settled.text).toContain(`Approved by ${ALICE}`);
    expect(JSON.stringify(settled.raw)).not.toContain('hermes_action');
  });
});
