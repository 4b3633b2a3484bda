import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef, InboundAction, InboundMessage, Logger, MessageAction } from '@hermes/adapter-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from './context.js';
import { type CommandOutcome, CommandRegistry } from './registry.js';
import { PACKAGE_NAME } from './update/gateway-package.js';
import type { InstallKind } from './update/install-kind.js';
import { compareVersions, latestPublished } from './update/npm-cli.js';
import { outputTail, readPending, updateFiles, writePending } from './update/update-files.js';
import { launchUpdate } from './update/update-launcher.js';
import { UpdateWatcher } from './update/update-watcher.js';
import { createUpdateCommand, type UpdateChatIO } from './update-command.js';

let home: string;
const chat: ChatRef = { platform: 'telegram', chatId: '42', chatType: 'dm' };
const ADMIN = '7';

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'hermes-update-cmd-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** A stand-in `npm` on disk: `view` prints a version, `install` prints a line and exits with `code`. */
function fakeNpm(o: { latest?: string; installExit?: number; viewError?: string } = {}): string {
  const path = join(home, 'bin', 'npm');
  mkdirSync(join(home, 'bin'), { recursive: true });
  const view = o.viewError
    ? `echo "npm error code ${o.viewError}" >&2; exit 1`
    : `echo "${o.latest ?? '0.2.0'}"; exit 0`;
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      `if [ "$1" = view ]; then ${view}; fi`,
      `if [ "$1" = install ]; then echo "installing $3"; echo "added 1 package"; exit ${o.installExit ?? 0}; fi`,
      'exit 2',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
} as Logger;

/** The chat side, recorded: what a platform with (or without) buttons would have shown. */
function recordingIO(buttons: boolean) {
  const seen = {
    offers: [] as Array<{ text: string; actions: MessageAction[] }>,
    settled: [] as string[],
    delivered: [] as string[],
  };
  const io: UpdateChatIO = {
    hasButtons: () => buttons,
    async offer(_chat, text, actions) {
      seen.offers.push({ text, actions });
      return 'm1';
    },
    async settle(_chat, _id, outcome) {
      seen.settled.push(outcome);
    },
    async deliver(_chat, text) {
      seen.delivered.push(text);
    },
  };
  return { io, seen };
}

function setup(o: { install?: InstallKind; npm: string; buttons?: boolean; allowed?: boolean }) {
  const files = updateFiles(home);
  const { io, seen } = recordingIO(o.buttons ?? false);
  const watcher = new UpdateWatcher({
    files,
    deliver: (c, t) => io.deliver(c, t),
    canRestart: () => false,
    requestRestart: () => false,
    logger: silent,
    pollMs: 50,
  });
  const command = createUpdateCommand({
    files,
    pkg: { root: home, version: '0.1.0' },
    install: async () => o.install ?? { kind: 'npm-global' },
    latest: () => latestPublished(PACKAGE_NAME, 5000, o.npm),
    allowed: () => o.allowed ?? true,
    isAdmin: (_p, user) => user === ADMIN,
    launch: (spec) => launchUpdate({ files, spec, npm: o.npm }),
    watch: () => watcher.start(),
    io,
    logger: silent,
  });
  return { command, seen, watcher, files };
}

const ctx = (sender = ADMIN) =>
  ({
    msg: { id: 'in1', chat, sender: { id: sender, name: 'Alice' } } as InboundMessage,
    isAdmin: () => sender === ADMIN,
  }) as unknown as CommandContext;
const text = (o: CommandOutcome) => (o.kind === 'reply' ? o.text : '');

async function until<T>(check: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const press = (actionId: string, sender = ADMIN): InboundAction => ({
  id: `p-${actionId}`,
  chat,
  sender: { id: sender, name: 'Alice' },
  messageId: 'm1',
  actionId,
  receivedAt: new Date(),
  raw: {},
});

describe('/update', () => {
  it('admins only, and only where the platform allows it', async () => {
    const { command } = setup({ npm: fakeNpm() });
    expect(text(await command.handle(ctx('99'), ''))).toMatch(/Only admins may update/);
    const off = setup({ npm: fakeNpm(), allowed: false }).command;
    expect(text(await off.handle(ctx(), ''))).toMatch(/allow_update_command: true/);
  });

  it('a git checkout: versions and the git steps, nothing offered; a failed lookup says why', async () => {
    const { command, watcher } = setup({
      npm: join(home, 'no-npm-here'),
      install: { kind: 'git', root: '/srv/hermes' },
    });
    const out = text(await command.handle(ctx(), ''));
    expect(out).toMatch(/Hermes Gateway 0\.1\.0 \(a git checkout at \/srv\/hermes\)/);
    expect(out).toMatch(/could not check \(npm is not installed/);
    expect(out).toMatch(/cd \/srv\/hermes && git pull && pnpm install && pnpm build/);
    expect(out).not.toMatch(/confirm/);
    expect(text(await command.handle(ctx(), 'confirm'))).toMatch(/Nothing to confirm/);
    expect(watcher.watching).toBe(false);
  });

  it('registry errors are reported in npm’s own words', async () => {
    const { command } = setup({ npm: fakeNpm({ viewError: 'E404' }) });
    expect(text(await command.handle(ctx(), ''))).toMatch(/could not check \(npm error code E404\)/);
  });

  it('a global npm install without buttons: /update confirm runs it detached and the watcher reports', async () => {
    const { command, seen, files } = setup({ npm: fakeNpm({ latest: '0.2.0' }) });
    const offer = text(await command.handle(ctx(), ''));
    expect(offer).toMatch(/Latest published: 0\.2\.0/);
    expect(offer).toMatch(/npm i -g @hermes\/gateway@0\.2\.0/);
    expect(offer).toMatch(/send \/update confirm within 10 minutes/);
    const started = text(await command.handle(ctx(), 'confirm'));
    expect(started).toMatch(/^⚕ Starting Hermes update… I'll notify you when it's done\./);
    const report = await until(() => seen.delivered[0], 'the update report');
    expect(report).toMatch(/^✅ Hermes update finished\./);
    expect(report).toMatch(/installing @hermes\/gateway@0\.2\.0\nadded 1 package/);
    expect(report).toMatch(/Restart the gateway to run 0\.2\.0/);
    expect(existsSync(files.pending) || existsSync(files.exitCode) || existsSync(files.output)).toBe(false);
    expect(text(await command.handle(ctx(), 'confirm'))).toMatch(/Nothing to confirm/);
  });

  it('up to date: nothing offered', async () => {
    const { command } = setup({ npm: fakeNpm({ latest: '0.1.0' }) });
    const out = text(await command.handle(ctx(), ''));
    expect(out).toMatch(/you are up to date/);
    expect(out).not.toMatch(/confirm/);
  });

  it('buttons: a non-admin press does nothing, Update now starts it, a failure is reported with its output', async () => {
    const { command, seen } = setup({ npm: fakeNpm({ installExit: 1 }), buttons: true });
    expect(await command.handle(ctx(), '')).toEqual({ kind: 'silent' });
    const actions = seen.offers[0]?.actions ?? [];
    expect(actions.map((a) => a.label)).toEqual(['Update now', 'Cancel']);
    const confirmId = actions[0]?.id ?? '';
    const registry = new CommandRegistry();
    registry.register(command);
    expect(registry.forAction(confirmId)).toBe(command);
    expect(registry.forAction('appr:123:once')).toBeUndefined();

    await command.handleAction?.('telegram', press(confirmId, '99'));
    expect(seen.settled).toEqual([]);
    await command.handleAction?.('telegram', press(confirmId));
    expect(seen.settled).toEqual(['✅ Confirmed by Alice']);
    expect(seen.delivered[0]).toMatch(/Starting Hermes update/);
    const report = await until(() => seen.delivered[1], 'the failure report');
    expect(report).toMatch(/^❌ Hermes update failed \(exit code 1\)\./);
    expect(report).toMatch(/added 1 package/);
    // The same button again: that offer is used up.
    await command.handleAction?.('telegram', press(confirmId));
    expect(seen.settled.at(-1)).toMatch(/Expired/);
  });

  it('Cancel settles the buttons and starts nothing', async () => {
    const { command, seen, files } = setup({ npm: fakeNpm(), buttons: true });
    await command.handle(ctx(), '');
    const cancelId = seen.offers[0]?.actions[1]?.id ?? '';
    await command.handleAction?.('telegram', press(cancelId));
    expect(seen.settled).toEqual(['✖️ Cancelled by Alice']);
    expect(readPending(files)).toBeUndefined();
  });
});

describe('update watcher', () => {
  it('after a restart: an update that ended meanwhile is reported at once, and a restart is asked for', async () => {
    const files = updateFiles(home);
    writePending(files, {
      platform: 'telegram',
      chat_id: '42',
      thread_id: '9',
      chat_type: 'group',
      version: '0.2.0',
      started_at: Date.now() - 5000,
    });
    writeFileSync(files.output, 'x'.repeat(5000));
    writeFileSync(files.exitCode, '0\n');
    const delivered: Array<{ chat: ChatRef; text: string }> = [];
    const restarts: ChatRef[] = [];
    const watcher = new UpdateWatcher({
      files,
      deliver: async (c, t) => {
        delivered.push({ chat: c, text: t });
      },
      canRestart: () => true,
      requestRestart: (c) => restarts.push(c) > 0,
      logger: silent,
    });
    watcher.start();
    await until(() => restarts.length > 0, 'the restart request');
    expect(delivered[0]?.chat).toEqual({
      platform: 'telegram',
      chatId: '42',
      chatType: 'group',
      threadId: '9',
    });
    expect(delivered[0]?.text).toMatch(/✅ Hermes update finished\.[\s\S]*♻️ Restarting to run 0\.2\.0/);
    // The last 3,500 characters of the output, not all 5,000.
    expect(delivered[0]?.text.match(/x+/)?.[0].length).toBe(3500);
    expect(watcher.watching).toBe(false);
  });

  it('gives up after the limit and says so', async () => {
    const files = updateFiles(home);
    writePending(files, {
      platform: 'telegram',
      chat_id: '42',
      thread_id: null,
      chat_type: 'dm',
      version: '0.2.0',
      started_at: 0,
    });
    const delivered: string[] = [];
    const watcher = new UpdateWatcher({
      files,
      deliver: async (_c, t) => {
        delivered.push(t);
      },
      canRestart: () => true,
      requestRestart: () => true,
      logger: silent,
      maxMs: 1000,
    });
    expect(await watcher.check()).toBe('reported');
    expect(delivered[0]).toMatch(/did not finish within/);
    expect(readPending(files)).toBeUndefined();
  });

  it('no pending update: nothing is watched', () => {
    const watcher = new UpdateWatcher({
      files: updateFiles(home),
      deliver: async () => undefined,
      canRestart: () => true,
      requestRestart: () => true,
      logger: silent,
    });
    watcher.start();
    expect(watcher.watching).toBe(false);
  });
});

describe('versions and output', () => {
  it('compareVersions orders releases and pre-releases', () => {
    expect(compareVersions('0.2.0', '0.1.9')).toBe(1);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('1.0.0-beta.1', '1.0.0')).toBe(-1);
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1);
  });

  it('outputTail keeps the end', () => {
    const files = updateFiles(home);
    writeFileSync(files.output, `start${'y'.repeat(4000)}end`);
    const tail = outputTail(files);
    expect(tail.endsWith('end')).toBe(true);
    expect(tail.length).toBe(3501);
  });
});
