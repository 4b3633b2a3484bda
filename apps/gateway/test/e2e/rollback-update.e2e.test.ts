import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeTelegram, startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, gatewayEnv, startGatewayProcess, until } from './gateway-process.js';

const APP = join(dirname(fileURLToPath(import.meta.url)), '../..');

let base: string;
let fake: FakeOpenAI;
let telegram: FakeTelegram;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'hermes-e2e-rollback-update-'));
  fake = await startFakeOpenAI();
  telegram = await startFakeTelegram();
});
afterAll(async () => {
  await Promise.all([fake?.close(), telegram?.close()]);
  rmSync(base, { recursive: true, force: true });
});

/** `hermes gateway` from a given cli.js, in a given working folder (the terminal tool's cwd). */
const startGateway = (cli: string, env: NodeJS.ProcessEnv, cwd: string): GatewayProcess =>
  startGatewayProcess(env, { cli, cwd });

function env(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return gatewayEnv(home, {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_ALLOWED_USERS: `${telegram.alice.id},${telegram.bob.id}`,
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-test-e2e-rollback',
    HERMES_MODEL: 'fake-model',
    ...extra,
  });
}

const textsTo = (chatId: number, since = 0) =>
  telegram.sent
    .slice(since)
    .filter((m) => m.chatId === chatId && m.text)
    .map((m) => m.text as string);

describe('/rollback', () => {
  it('the terminal’s change is checkpointed, listed per session and restored', async () => {
    const home = join(base, 'rollback-home');
    const work = join(base, 'project');
    mkdirSync(home, { recursive: true });
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'notes.txt'), 'original\n');
    writeFileSync(join(home, 'config.yaml'), 'checkpoints:\n  enabled: true\n');
    const since = telegram.sent.length;
    const gateway = startGateway(join(APP, 'dist/cli.js'), env(home), work);
    try {
      await gateway.waitForLog(/gateway running/);
      fake.script(
        step.toolCall('terminal', { command: 'cat notes.txt' }, 'call_read'),
        step.toolCall('terminal', { command: 'echo changed > notes.txt' }, 'call_write'),
        step.text('Edited the notes.'),
      );
      telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: 'edit my notes' });
      await until(
        gateway,
        () => textsTo(telegram.aliceDm.id, since).includes('Edited the notes.'),
        'the turn that edits the file',
      );
      expect(readFileSync(join(work, 'notes.txt'), 'utf8')).toBe('changed\n');

      telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: '/rollback' });
      const list = await until(
        gateway,
        () => textsTo(telegram.aliceDm.id, since).find((t) => t.includes('Checkpoints')),
        'the checkpoint list',
      );
      // One checkpoint: before the write (the read changed nothing, so none was taken before it).
      expect(list).toMatch(/1\. \d\d:\d\d, before <code>echo changed &gt; notes\.txt<\/code>/);
      expect(list).not.toMatch(/\n2\. /);

      telegram.sendText({ chat: telegram.bobDm, from: telegram.bob, text: '/rollback' });
      await until(
        gateway,
        () => textsTo(telegram.bobDm.id, since).some((t) => t.includes('No checkpoints in this session yet')),
        "another session's empty list",
      );

      telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: '/rollback 1' });
      const restored = await until(
        gateway,
        () => textsTo(telegram.aliceDm.id, since).find((t) => t.startsWith('✅ Restored to checkpoint 1')),
        'the restore reply',
      );
      expect(restored).toMatch(/1 file\(s\) written back, 0 removed/);
      expect(readFileSync(join(work, 'notes.txt'), 'utf8')).toBe('original\n');
      // The snapshots live under HERMES_HOME; the user's folder gets no repository.
      expect(existsSync(join(work, '.git'))).toBe(false);
      expect(existsSync(join(home, 'checkpoints'))).toBe(true);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  }, 120_000);
});

/**
 * A global npm install of the built gateway: `<prefix>/lib/node_modules/@hermes/gateway` with its
 * package.json and dist, resolving its dependencies through the workspace's node_modules, and an `npm`
 * on PATH whose `root -g` names that prefix. The fake npm's `view` and `install` are steered by files.
 */
function globalInstall(): { cli: string; bin: string; control: string } {
  const prefix = join(base, 'prefix');
  const pkg = join(prefix, 'lib', 'node_modules', '@hermes', 'gateway');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(APP, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(APP, 'dist'), join(pkg, 'dist'), { recursive: true });
  symlinkSync(join(APP, 'node_modules'), join(pkg, 'node_modules'));
  const control = join(base, 'npm-control');
  mkdirSync(control, { recursive: true });
  const bin = join(base, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'npm'),
    [
      '#!/bin/sh',
      `C=${control}`,
      `if [ "$1" = root ]; then echo ${join(prefix, 'lib', 'node_modules')}; exit 0; fi`,
      'if [ "$1" = view ]; then',
      '  if [ -e "$C/offline" ]; then echo "npm error code ENOTFOUND" >&2; exit 1; fi',
      '  echo 9.9.9; exit 0',
      'fi',
      'if [ "$1" = install ]; then',
      '  echo "installing $3"',
      '  n=0; while [ -e "$C/hold" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done',
      '  echo "added 1 package"; exit 0',
      'fi',
      'exit 2',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'npm'), 0o755);
  return { cli: join(pkg, 'dist', 'cli.js'), bin, control };
}

describe('/update', () => {
  it('admins only; says when the registry cannot be reached; runs a confirmed update detached and reports it after a restart', async () => {
    const home = join(base, 'update-home');
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, 'config.yaml'),
      `gateway:\n  allow_admin_from: ["telegram:${telegram.alice.id}"]\n`,
    );
    const { cli, bin, control } = globalInstall();
    const updateEnv = env(home, { HERMES_SERVICE: 'test', PATH: `${bin}:${process.env.PATH ?? ''}` });
    const since = telegram.sent.length;
    const alice = () => textsTo(telegram.aliceDm.id, since);

    let gateway = startGateway(cli, updateEnv, base);
    await gateway.waitForLog(/gateway running/);
    telegram.sendText({ chat: telegram.bobDm, from: telegram.bob, text: '/update' });
    await until(
      gateway,
      () => textsTo(telegram.bobDm.id, since).some((t) => t.includes('Only admins may update')),
      'the refusal to a non-admin',
    );

    writeFileSync(join(control, 'offline'), '');
    telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: '/update' });
    const offline = await until(gateway, () => alice().find((t) => t.includes('could not check')), 'offline');
    expect(offline).toMatch(/installed globally with npm/);
    expect(offline).toMatch(/npm error code ENOTFOUND/);
    expect(offline).toMatch(/npm i -g @hermes\/gateway@latest/);
    rmSync(join(control, 'offline'));

    writeFileSync(join(control, 'hold'), '');
    telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: '/update' });
    const offer = await until(
      gateway,
      () =>
        telegram.sent
          .slice(since)
          .find(
            (m) =>
              m.chatId === telegram.aliceDm.id &&
              m.text?.includes('Latest published: 9.9.9') &&
              telegram.keyboardOf(m.chatId, m.messageId),
          ),
      'the offer with buttons',
    );
    const keyboard = telegram.keyboardOf(offer.chatId, offer.messageId) as {
      inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
    };
    const updateNow = keyboard.inline_keyboard.flat().find((b) => b.text === 'Update now');
    expect(updateNow).toBeDefined();
    telegram.pressButton(offer.chatId, offer.messageId, updateNow?.callback_data ?? '', telegram.alice);
    await until(gateway, () => alice().some((t) => t.startsWith('⚕ Starting Hermes update…')), 'the start');
    expect(JSON.parse(readFileSync(join(home, '.update_pending.json'), 'utf8'))).toMatchObject({
      platform: 'telegram',
      chat_id: String(telegram.aliceDm.id),
      thread_id: null,
      version: '9.9.9',
    });
    await until(gateway, () => !telegram.keyboardOf(offer.chatId, offer.messageId), 'the buttons settled');

    // The gateway goes down while the update runs; the update is not its child and goes on.
    expect(await gateway.stop()).toBe(0);
    rmSync(join(control, 'hold'));
    await until(undefined, () => existsSync(join(home, '.update_exit_code')), 'the update to end', 30_000);

    gateway = startGateway(cli, updateEnv, base);
    await gateway.waitForLog(/gateway running/);
    const report = await until(
      gateway,
      () => alice().find((t) => t.startsWith('✅ Hermes update finished.')),
      'the report after the restart',
    );
    expect(report).toMatch(/installing @hermes\/gateway@9\.9\.9\s+added 1 package/);
    expect(report).toMatch(/Restarting to run 9\.9\.9/);
    // Under a service manager it restarts itself (exit 75) to run the new version…
    await until(gateway, () => gateway.child.exitCode !== null, 'the restart exit', 30_000);
    expect(gateway.child.exitCode).toBe(75);
    expect(existsSync(join(home, '.update_pending.json'))).toBe(false);

    // …and says so when it is back.
    gateway = startGateway(cli, updateEnv, base);
    await gateway.waitForLog(/gateway running/);
    await until(
      gateway,
      () => alice().some((t) => t.includes('Back online after the restart')),
      'the back-online notice',
    );
    expect(await gateway.stop()).toBe(0);
  }, 180_000);
});
