import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeMatrixServer, startFakeMatrixServer } from '@hermes/adapter-matrix/testing';
import { type FakeMattermostServer, startFakeMattermostServer } from '@hermes/adapter-mattermost/testing';
import { type FakeSignalServer, startFakeSignalServer } from '@hermes/adapter-signal/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayProcess,
  gatewayEnv,
  hermesAsync,
  startGatewayProcess,
  until,
} from './gateway-process.js';

const SIGNAL_KNOWN = '+15550002222';
const SIGNAL_STRANGER = '+15557654321';
const SIGNAL_GROUP_ID = 'Z3JvdXAtb25lLWZha2U=';
const MM_ALICE = 'user-alice';
const MM_CHANNEL = 'group-1';

let home: string;
let fake: FakeOpenAI;
let matrix: FakeMatrixServer;
let mattermost: FakeMattermostServer;
let signal: FakeSignalServer;
let gateway: GatewayProcess;
let env: NodeJS.ProcessEnv;
let matrixBob: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-self-hosted-'));
  fake = await startFakeOpenAI();
  matrix = await startFakeMatrixServer();
  mattermost = await startFakeMattermostServer();
  signal = await startFakeSignalServer();
  matrixBob = matrix.alice.replace('@alice:', '@bob:');
  env = gatewayEnv(home, {
    MATRIX_HOMESERVER: matrix.url,
    MATRIX_ACCESS_TOKEN: matrix.botToken,
    MATRIX_ALLOWED_USERS: `${matrix.alice},${matrixBob}`,
    MATTERMOST_URL: mattermost.url,
    MATTERMOST_TOKEN: mattermost.token,
    MATTERMOST_ALLOWED_USERS: MM_ALICE,
    SIGNAL_HTTP_URL: signal.url,
    SIGNAL_ACCOUNT: signal.account,
    SIGNAL_ALLOWED_USERS: SIGNAL_KNOWN,
    SIGNAL_GROUP_ALLOWED_USERS: `group:${SIGNAL_GROUP_ID}`,
    SIGNAL_REQUIRE_MENTION: 'true',
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-test-e2e-self-hosted',
    HERMES_MODEL: 'fake-model',
  });
  gateway = startGatewayProcess(env);
  const running = await gateway.waitForLog(/^.*gateway running.*$/m, 30_000);
  // All three came up in the one process (the log line lists each platform with its status).
  for (const p of ['matrix', 'mattermost', 'signal']) expect(running).toContain(`${p}:`);
  await gateway.waitForLog(/matrix: online/);
  await until(gateway, () => mattermost.authenticatedSockets > 0, 'the Mattermost WebSocket');
  await until(gateway, () => signal.openStreams > 0, 'the Signal event stream');
}, 60_000);

afterAll(async () => {
  // The exit code is asserted by the last test; here only make sure the process is gone (SIGKILL after 5 s).
  await gateway?.stop(5_000);
  await Promise.all([fake?.close(), matrix?.close(), mattermost?.close(), signal?.close()]);
  rmSync(home, { recursive: true, force: true });
});

const lastUserText = () => String(fake.requests.at(-1)!.body.messages.at(-1)!.content);
const matrixTexts = (roomId: string) =>
  matrix
    .sentMessages()
    .filter((m) => m.chatId === roomId)
    .map((m) => m.text ?? '');
const signalTexts = (chatId: string) =>
  signal
    .sentMessages()
    .filter((m) => m.chatId === chatId)
    .map((m) => m.text ?? '');

describe('one gateway process with Matrix, Mattermost and Signal (fake homeserver, fake Mattermost, fake signal-cli)', () => {
  it('answers a Matrix DM', async () => {
    const before = fake.requests.length;
    fake.script(step.text('Hello Alice, on Matrix.'));
    await matrix.deliverDm('hi matrix');
    await until(
      gateway,
      () => matrixTexts(matrix.dmRoomId).some((t) => t.includes('Hello Alice, on Matrix.')),
      'the Matrix DM reply',
    );
    expect(fake.requests.length).toBe(before + 1);
    expect(lastUserText()).toContain('hi matrix');
  });

  it('answers a Matrix room message only when it mentions the bot', async () => {
    const before = fake.requests.length;
    await matrix.deliverGroup('talking among ourselves', { mention: false, fromUserId: matrixBob });
    fake.script(step.text('You called, room?'));
    await matrix.deliverGroup('can you help', { mention: true, fromUserId: matrixBob });
    await until(
      gateway,
      () => matrixTexts(matrix.groupRoomId).some((t) => t.includes('You called, room?')),
      'the Matrix room reply',
    );
    expect(fake.requests.length).toBe(before + 1);
    const prompt = JSON.stringify(fake.requests.at(-1)!.body.messages);
    expect(prompt).toContain('can you help');
    expect(prompt).not.toContain('talking among ourselves');
    expect(matrixTexts(matrix.groupRoomId)).toHaveLength(1);
  });

  it('answers a Mattermost channel mention in the thread under the asking post', async () => {
    fake.script(step.text('Answered in your thread.'));
    const asking = await mattermost.deliverGroup('deploy status?', {
      mention: true,
      chatId: MM_CHANNEL,
      fromUserId: MM_ALICE,
    });
    const reply = await until(
      gateway,
      () => mattermost.sentMessages().find((m) => m.text?.includes('Answered in your thread.')),
      'the Mattermost reply',
    );
    expect(reply.chatId).toBe(MM_CHANNEL);
    // root_id of the answer is the post that asked.
    expect(reply.threadId).toBe(asking);
    expect(lastUserText()).toContain('deploy status?');
    expect(lastUserText()).not.toContain(`@${mattermost.botUsername}`);
  });

  it('answers a Signal DM', async () => {
    fake.script(step.text('Hello by Signal.'));
    await signal.deliverDm('hi signal', { from: SIGNAL_KNOWN });
    await until(gateway, () => signalTexts(SIGNAL_KNOWN).includes('Hello by Signal.'), 'the Signal DM reply');
    expect(lastUserText()).toContain('hi signal');
  });

  it('answers a Signal group message that mentions the bot, not one that does not', async () => {
    const group = `group:${SIGNAL_GROUP_ID}`;
    const before = fake.requests.length;
    await signal.deliverGroup('just chatting', {
      mention: false,
      from: SIGNAL_KNOWN,
      groupId: SIGNAL_GROUP_ID,
    });
    fake.script(step.text('Hello, Signal group.'));
    await signal.deliverGroup('what time is it', {
      mention: true,
      from: SIGNAL_KNOWN,
      groupId: SIGNAL_GROUP_ID,
    });
    await until(gateway, () => signalTexts(group).includes('Hello, Signal group.'), 'the Signal group reply');
    expect(fake.requests.length).toBe(before + 1);
    const prompt = JSON.stringify(fake.requests.at(-1)!.body.messages);
    expect(prompt).toContain('what time is it');
    expect(prompt).not.toContain('just chatting');
    expect(signalTexts(group)).toEqual(['Hello, Signal group.']);
  });

  it('pairs an unknown Signal number: one code, `hermes pairing approve signal <code>`, then it is answered', async () => {
    const before = fake.requests.length;
    await signal.deliverDm('who are you?', { from: SIGNAL_STRANGER });
    const code = await until(
      gateway,
      () =>
        signalTexts(SIGNAL_STRANGER)
          .map((t) => /pairing code:\s*`?([A-Z2-9]{8})`?/.exec(t)?.[1])
          .find(Boolean),
      'the pairing code',
    );
    // Asking again before approval gets no second code, and the model never saw either message.
    await signal.deliverDm('hello?', { from: SIGNAL_STRANGER });
    await until(gateway, () => signalTexts(SIGNAL_STRANGER).length >= 2, 'the answer to the second message');
    expect(signalTexts(SIGNAL_STRANGER).filter((t) => /pairing code/.test(t))).toHaveLength(1);
    expect(fake.requests.length).toBe(before);

    const approved = await hermesAsync(['pairing', 'approve', 'signal', code], env);
    expect(approved.code, approved.stdout + approved.stderr).toBe(0);
    fake.script(step.text('Welcome to Signal, new number.'));
    await signal.deliverDm('now can we talk?', { from: SIGNAL_STRANGER });
    await until(
      gateway,
      () => signalTexts(SIGNAL_STRANGER).includes('Welcome to Signal, new number.'),
      'the reply after approval',
    );
    expect(fake.requests.length).toBe(before + 1);
    expect(lastUserText()).toContain('now can we talk?');
  });

  // matrix-js-sdk arms a ref'd timer per request that it never clears (up to 110 s for /sync): the gateway
  // must exit once it has stopped, not wait for the event loop to drain.
  it('exits with code 0 within 10 s of SIGTERM, whatever timers a platform library left behind', async () => {
    const code = await gateway.stop(10_000);
    expect(code).toBe(0);
  }, 20_000);
});
