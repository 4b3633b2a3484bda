import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeDiscord, startFakeDiscord } from '@hermes/adapter-discord/testing';
import { type SlackFakeServer, startSlackFakeServer } from '@hermes/adapter-slack/testing';
import { type FakeTelegram, startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, gatewayEnv, startGatewayProcess, until } from './gateway-process.js';

let home: string;
let fake: FakeOpenAI;
let telegram: FakeTelegram;
let slack: SlackFakeServer;
let discord: FakeDiscord;
let gateway: GatewayProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-chat-'));
  fake = await startFakeOpenAI();
  telegram = await startFakeTelegram();
  slack = await startSlackFakeServer();
  discord = await startFakeDiscord();
  env = gatewayEnv(home, {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_ALLOWED_USERS: `${telegram.alice.id},${telegram.bob.id}`,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    SLACK_ALLOWED_USERS: 'U0USER',
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    DISCORD_ALLOWED_USERS: `${discord.ids.users.alice},${discord.ids.users.bob}`,
    DISCORD_AUTO_THREAD: 'true',
    HERMES_MEDIA_ALLOW_PRIVATE: 'true',
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-test-e2e-chat',
    HERMES_MODEL: 'fake-model',
  });
  gateway = startGatewayProcess(env);
  await gateway.waitForLog(/gateway running/, 30_000);
  await discord.waitForSession(15_000);
}, 60_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await Promise.all([fake?.close(), telegram?.close(), slack?.close(), discord?.close()]);
  rmSync(home, { recursive: true, force: true });
});

const telegramTexts = (chatId: number) =>
  telegram.sent.filter((m) => m.chatId === chatId && m.text).map((m) => m.text!);

describe('the gateway process with Telegram, Discord and Slack (real SDKs, fake platforms) and the fake model', () => {
  it('answers a Telegram DM', async () => {
    fake.script(step.text('Hello Alice.'));
    telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: 'hi bot' });
    await until(
      gateway,
      () => telegramTexts(telegram.aliceDm.id).includes('Hello Alice.'),
      'telegram DM reply',
    );
  });

  it('streams a Telegram group reply by edits that end as the one final message', async () => {
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
    fake.script(
      step.stream(
        words.map((w) => `${w} `),
        { delayMs: 25 },
      ),
    );
    telegram.sendText({ chat: telegram.group, from: telegram.bob, text: 'stream please', mentionBot: true });
    const final = words.join(' ');
    await until(
      gateway,
      () => telegram.seen.edits.some((e) => e.chatId === telegram.group.id && e.text.trim() === final),
      'the streamed message edited to the final text',
    );
    // The reply was posted once and grown by edits: never a second copy of the final text.
    const posted = telegramTexts(telegram.group.id).filter((t) => t.includes('w0'));
    expect(posted).toHaveLength(1);
    const edits = telegram.seen.edits.filter((e) => e.chatId === telegram.group.id && e.text.includes('w0'));
    expect(edits.length).toBeGreaterThanOrEqual(1);
    // Far fewer writes than tokens: the per-chat budget coalesces them.
    expect(edits.length + posted.length).toBeLessThan(words.length / 2);
  });

  it('asks for a dangerous command with buttons, runs it after the asker presses Approve, settles the buttons', async () => {
    fake.script(
      step.toolCall('terminal', { command: `rm -rf ${join(home, 'scratch-buttons')}` }),
      step.text('Cleaned up with a button.'),
    );
    telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: 'clean up please' });
    const prompt = await until(
      gateway,
      () =>
        telegram.sent.find(
          (m) =>
            m.chatId === telegram.aliceDm.id &&
            m.text?.includes('Dangerous command requires approval') &&
            telegram.keyboardOf(m.chatId, m.messageId),
        ),
      'the approval prompt with buttons',
    );
    const keyboard = telegram.keyboardOf(prompt.chatId, prompt.messageId) as {
      inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
    };
    const approve = keyboard.inline_keyboard.flat().find((b) => b.text === 'Approve once');
    expect(approve).toBeDefined();
    const press = telegram.pressButton(
      prompt.chatId,
      prompt.messageId,
      approve!.callback_data,
      telegram.alice,
    );
    await until(
      gateway,
      () => telegramTexts(telegram.aliceDm.id).includes('Cleaned up with a button.'),
      'the reply after the button press',
    );
    expect(telegram.seen.callbackAnswers.map((a) => a.callbackQueryId)).toContain(press.callbackQueryId);
    await until(
      gateway,
      () => !telegram.keyboardOf(prompt.chatId, prompt.messageId),
      'the buttons removed after the press',
    );
  });

  it('asks a clarifying question with Telegram buttons; the press answers it and the turn goes on', async () => {
    const before = fake.requests.length;
    fake.script(
      step.toolCall('clarify', { question: 'Which size?', choices: ['small', 'large'] }),
      step.text('Ordered a large one.'),
    );
    telegram.sendText({ chat: telegram.bobDm, from: telegram.bob, text: 'order a pizza' });
    const question = await until(
      gateway,
      () =>
        telegram.sent.find(
          (m) =>
            m.chatId === telegram.bobDm.id &&
            m.text?.includes('Which size?') &&
            telegram.keyboardOf(m.chatId, m.messageId),
        ),
      'the question with buttons',
    );
    const keyboard = telegram.keyboardOf(question.chatId, question.messageId) as {
      inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
    };
    const large = keyboard.inline_keyboard.flat().find((b) => b.text === 'large');
    expect(large?.callback_data).toMatch(/^cl:/);
    telegram.pressButton(question.chatId, question.messageId, large!.callback_data, telegram.bob);
    await until(
      gateway,
      () => telegramTexts(telegram.bobDm.id).includes('Ordered a large one.'),
      'the reply after the answer',
    );
    const tool = fake.requests[before + 1]!.body.messages.find((m) => m.role === 'tool');
    expect(String(tool?.content)).toBe('The user answered: large');
    await until(
      gateway,
      () => !telegram.keyboardOf(question.chatId, question.messageId),
      'the buttons replaced by the choice',
    );
  });

  it('/steer on Telegram reaches the running turn at its next step without restarting it', async () => {
    const before = fake.requests.length;
    fake.script(
      step.toolCall('terminal', { command: 'sleep 1.5 && echo built' }),
      step.text('Built, and used port 8080.'),
    );
    telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: 'build the site' });
    await fake.waitForRequests(before + 1, 10_000);
    telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: '/steer use port 8080' });
    await until(
      gateway,
      () => telegramTexts(telegram.aliceDm.id).includes('Built, and used port 8080.'),
      'the steered reply',
    );
    expect(telegramTexts(telegram.aliceDm.id).some((t) => t.startsWith('↪️ Steering'))).toBe(true);
    // One turn, two model calls: the steer text came in after the tool result, as a user message.
    expect(fake.requests).toHaveLength(before + 2);
    const messages = fake.requests[before + 1]!.body.messages;
    const toolAt = messages.findIndex((m) => m.role === 'tool');
    const steerAt = messages.findIndex(
      (m) => m.role === 'user' && String(m.content).includes('use port 8080'),
    );
    expect(toolAt).toBeGreaterThan(-1);
    expect(steerAt).toBeGreaterThan(toolAt);
  });

  it('answers a Telegram group only when mentioned', async () => {
    const before = fake.requests.length;
    telegram.sendText({ chat: telegram.group, from: telegram.bob, text: 'talking among ourselves' });
    fake.script(step.text('You called?'));
    telegram.sendText({ chat: telegram.group, from: telegram.bob, text: 'can you help', mentionBot: true });
    await until(gateway, () => telegramTexts(telegram.group.id).includes('You called?'), 'group reply');
    expect(fake.requests.length).toBe(before + 1);
    expect(String(fake.requests.at(-1)!.body.messages.at(-1)!.content)).toContain('can you help');
  });

  it("splits a long reply to Telegram's 4096-unit limit without losing a word", async () => {
    const words = Array.from({ length: 1800 }, (_, i) => `word${i}`);
    fake.script(step.text(words.join(' ')));
    telegram.sendText({ chat: telegram.bobDm, from: telegram.bob, text: 'write a lot' });
    const chunks = await until(
      gateway,
      () => {
        const t = telegramTexts(telegram.bobDm.id);
        return t.join(' ').includes('word1799') && t;
      },
      'all chunks',
    );
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096);
    expect(
      chunks
        .join(' ')
        .split(/\s+/)
        .filter((w) => w.startsWith('word')),
    ).toEqual(words);
  });

  it('answers a Slack mention in a thread and keeps the thread', async () => {
    fake.script(step.text('On it, in the thread.'));
    const root = slack.message({ channel: 'C0GENERAL', text: 'deploy status?', mention: true });
    const rootTs = (root.payload.event as { ts: string }).ts;
    const post = await slack.waitForPost((p) => p.text.includes('On it, in the thread.'), 15_000);
    expect(post.threadTs).toBe(rootTs);
    expect(post.channel).toBe('C0GENERAL');
  });

  it('streams a Slack thread reply through chat.startStream/appendStream/stopStream as one message', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `s${i}`);
    fake.script(
      step.stream(
        words.map((w) => `${w} `),
        { delayMs: 20 },
      ),
    );
    slack.message({ channel: 'C0GENERAL', text: 'stream it', mention: true });
    const stream = await until(
      gateway,
      () => slack.streams.find((st) => st.stopped && st.text.includes('s39')),
      'a stopped Slack stream carrying the whole reply',
    );
    expect(stream.text.split(/\s+/).filter((w) => /^s\d+$/.test(w))).toEqual(words);
    // The streamed message is the reply: the channel holds it once, as the stream's own message.
    expect(slack.posts.filter((p) => p.text.includes('s39')).map((p) => p.ts)).toEqual([stream.ts]);
  });

  it('interrupts a Slack DM run and answers both follow-ups in one turn', async () => {
    const before = fake.requests.length;
    fake.script(step.hang(), step.text('Both answered.'));
    slack.message({ channel: 'D0ALICE', text: 'first' });
    await fake.waitForRequests(before + 1, 10_000);
    slack.message({ channel: 'D0ALICE', text: 'second' });
    slack.message({ channel: 'D0ALICE', text: 'third' });
    await slack.waitForPost((p) => p.text.includes('Both answered.'), 15_000);
    // Both follow-ups reach the answering turn, in order (combined into one turn after the settle window).
    const users = fake.requests
      .at(-1)!
      .body.messages.filter((m) => m.role === 'user')
      .map((m) => String(m.content))
      .join('\n');
    expect(users.indexOf('second')).toBeGreaterThan(users.indexOf('first'));
    expect(users.indexOf('third')).toBeGreaterThan(users.indexOf('second'));
    expect(slack.postsIn('D0ALICE').map((p) => p.text)).toEqual(['Both answered.']);
  });

  it('/queue on Slack lets the running turn finish, then answers the queued message in a turn of its own', async () => {
    const before = fake.requests.length;
    fake.script(step.delay(1500), step.text('Slack first.'), step.text('Slack queued.'));
    slack.message({ channel: 'D0ALICE', text: 'slow question' });
    await fake.waitForRequests(before + 1, 10_000);
    slack.message({ channel: 'D0ALICE', text: '/queue and this after' });
    const queued = await slack.waitForPost((p) => p.text === 'Slack queued.', 15_000);
    const first = slack.postsIn('D0ALICE').find((p) => p.text === 'Slack first.');
    expect(first).toBeDefined();
    expect(Number(first!.ts)).toBeLessThan(Number(queued.ts));
    const [slow, next] = fake.requests.slice(before);
    expect(slow!.body.messages.map((m) => String(m.content)).join('\n')).not.toContain('and this after');
    expect(String(next!.body.messages.at(-1)!.content)).toBe('and this after');
  });

  it('takes a Slack button press (block_actions, acked) on an approval prompt and settles the buttons', async () => {
    fake.script(
      step.toolCall('terminal', { command: `rm -rf ${join(home, 'scratch-slack')}` }),
      step.text('Done on Slack.'),
    );
    slack.message({ channel: 'D0ALICE', text: 'tidy the scratch folder' });
    const prompt = await slack.waitForPost(
      (p) => p.text.includes('Dangerous command requires approval') && !!p.blocks?.length,
      15_000,
    );
    const actions = prompt.blocks!.find((b) => b['type'] === 'actions') as
      | { elements: Array<{ action_id: string; text: { text: string } }> }
      | undefined;
    const approve = actions?.elements.find((e) => e.text.text === 'Approve once');
    expect(approve).toBeDefined();
    const press = slack.pressButton({
      channel: 'D0ALICE',
      messageTs: prompt.ts,
      actionId: approve!.action_id,
    });
    await slack.waitForPost((p) => p.text === 'Done on Slack.', 15_000);
    expect(press.acked).toBe(true);
    await until(
      gateway,
      () =>
        slack.updates.some(
          (u) =>
            u.ts === prompt.ts &&
            u.blocks?.some((b) => b['type'] === 'context') &&
            !u.blocks?.some((b) => b['type'] === 'actions'),
        ),
      'the buttons replaced by the outcome',
    );
  });

  it('streams a Discord reply by edits that end as the one final message', async () => {
    const words = Array.from({ length: 60 }, (_, i) => `d${i}`);
    fake.script(
      step.stream(
        words.map((w) => `${w} `),
        { delayMs: 25 },
      ),
    );
    discord.postMessage({ channelId: discord.ids.dms.alice, content: 'stream on discord' });
    const final = words.join(' ');
    await until(
      gateway,
      () => discord.edits.some((e) => e.content?.trim() === final),
      'the streamed Discord message edited to the final text',
    );
    const posted = discord.botMessages().filter((m) => m.content.includes('d0'));
    expect(posted).toHaveLength(1);
    const edits = discord.edits.filter((e) => e.messageId === posted[0]!.id);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.length + posted.length).toBeLessThan(words.length / 2);
  });

  it('answers a Discord DM, and a guild mention in a thread it opens', async () => {
    fake.script(step.text('Hi from Discord.'));
    discord.postMessage({ channelId: discord.ids.dms.alice, content: 'hello there' });
    await discord.waitForBotMessage((m) => m.content === 'Hi from Discord.', 15_000);
    fake.script(step.text('Answered in a thread.'));
    discord.postMessage({
      channelId: discord.ids.channels.general,
      content: 'need help',
      mentionBot: true,
      authorId: discord.ids.users.bob,
    });
    const reply = await discord.waitForBotMessage((m) => m.content === 'Answered in a thread.', 15_000);
    expect(reply.threadId).toBeDefined();
    expect(discord.threads.length).toBeGreaterThanOrEqual(1);
  });

  it('takes a Discord button press on an approval prompt and settles the buttons', async () => {
    fake.script(
      step.toolCall('terminal', { command: `rm -rf ${join(home, 'scratch-discord')}` }),
      step.text('Done on Discord.'),
    );
    discord.postMessage({ channelId: discord.ids.dms.alice, content: 'tidy up' });
    const prompt = await discord.waitForBotMessage(
      (m) => m.content.includes('Dangerous command requires approval'),
      15_000,
    );
    const rows = (
      prompt.raw as { components?: Array<{ components: Array<{ label: string; custom_id: string }> }> }
    ).components;
    const deny = rows?.flatMap((r) => r.components).find((b) => b.label === 'Deny');
    expect(deny).toBeDefined();
    const press = discord.pressButton({ messageId: prompt.id, customId: deny!.custom_id });
    await until(
      gateway,
      () =>
        discord.edits.some(
          (e) => e.messageId === prompt.id && Array.isArray(e.components) && e.components.length === 0,
        ),
      'the buttons cleared with the outcome',
    );
    expect(discord.interactions.find((i) => i.id === press.id)?.callbackType).toBe(6);
    const settled = discord.edits.filter((e) => e.messageId === prompt.id).at(-1)!;
    expect(settled.content).toMatch(/Denied by/);
    // The turn goes on after the press: the model is told the command was denied and answers.
    await discord.waitForBotMessage((m) => m.content === 'Done on Discord.', 15_000);
  });

  it('splits a long Discord reply at 2000 characters', async () => {
    const words = Array.from({ length: 900 }, (_, i) => `item${i}`);
    fake.script(step.text(words.join(' ')));
    discord.postMessage({
      channelId: discord.ids.dms.bob,
      content: 'list everything',
      authorId: discord.ids.users.bob,
    });
    await discord.waitForBotMessage((m) => m.content.includes('item899'), 15_000);
    const chunks = discord
      .botMessages()
      .filter((m) => m.channelId === discord.ids.dms.bob)
      .map((m) => m.content);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(2000);
    expect(chunks.join(' ').split(/\s+/)).toEqual(words);
  });

  it('/queue on Discord waits for the running turn and gets a turn of its own, in order', async () => {
    const before = fake.requests.length;
    fake.script(step.delay(1500), step.text('First, done.'), step.text('Queued, done.'));
    discord.postMessage({
      channelId: discord.ids.dms.bob,
      content: 'slow one',
      authorId: discord.ids.users.bob,
    });
    await fake.waitForRequests(before + 1, 10_000);
    discord.postMessage({
      channelId: discord.ids.dms.bob,
      content: '/queue and then this',
      authorId: discord.ids.users.bob,
    });
    const queued = await discord.waitForBotMessage((m) => m.content === 'Queued, done.', 15_000);
    const first = await discord.waitForBotMessage((m) => m.content === 'First, done.', 1_000);
    expect(first.at).toBeLessThan(queued.at);
    const [slow, next] = fake.requests.slice(before);
    // The running turn was not interrupted by the queued message; the queued one came as its own turn.
    expect(slow!.body.messages.map((m) => String(m.content)).join('\n')).not.toContain('and then this');
    expect(String(next!.body.messages.at(-1)!.content)).toBe('and then this');
  });

  it('after kill -9 mid-stream, the cut reply is marked and the message is answered once after the restart', async () => {
    const before = fake.requests.length;
    const words = Array.from({ length: 200 }, (_, i) => `k${i}`);
    fake.script(
      step.stream(
        words.map((w) => `${w} `),
        { delayMs: 40 },
      ),
    );
    telegram.sendText({
      chat: telegram.group,
      from: telegram.alice,
      text: 'long story please',
      mentionBot: true,
    });
    const cut = await until(
      gateway,
      () => telegram.sent.find((m) => m.chatId === telegram.group.id && m.text?.startsWith('k0')),
      'the first streamed words in the group',
    );
    await fake.waitForRequests(before + 1, 10_000);
    // One edit proves the gateway itself knows the message it streams into (not just the fake).
    await until(
      gateway,
      () => telegram.seen.edits.some((e) => e.messageId === cut.messageId),
      'the streamed message grown by an edit',
    );
    await gateway.kill9();
    fake.script(step.text('The whole story, after the restart.'));
    gateway = startGatewayProcess(env);
    await gateway.waitForLog(/gateway running/, 30_000);
    await until(
      gateway,
      () => telegramTexts(telegram.group.id).includes('The whole story, after the restart.'),
      'the replayed answer',
    );
    await until(
      gateway,
      () =>
        telegram.seen.edits.some(
          (e) => e.messageId === cut.messageId && e.text.includes('Interrupted by a restart'),
        ),
      'the cut message marked',
    );
    expect(
      telegramTexts(telegram.group.id).filter((t) => t === 'The whole story, after the restart.'),
    ).toHaveLength(1);
    await discord.waitForSession(15_000);
  }, 60_000);
});
