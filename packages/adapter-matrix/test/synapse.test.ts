import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@hermes/adapter-core';
import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
import { ClientEvent, MatrixClient, MemoryStore, MsgType, SyncState } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMatrixAdapter, type MatrixAdapter, type MatrixConfigInput } from '../src/index.js';
import { quietSdkLogger } from '../src/sdk-logger.js';
import {
  type RunningSynapse,
  type SynapseUser,
  startSynapse,
  synapseAvailability,
} from '../src/testing/index.js';
import { CsClient, eventually } from './synapse/cs-client.js';

const availability = synapseAvailability();
const why = availability.ok ? '' : availability.reason;
const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe.skipIf(!availability.ok)(
  `matrix adapter against a real Synapse on 127.0.0.1${why ? ` (skipped: ${why})` : ''}`,
  () => {
    let synapse: RunningSynapse;
    let bot: SynapseUser;
    let aliceUser: SynapseUser;
    let alice: CsClient;
    let carol: CsClient;
    let stateDir: string;
    const running: Array<{ adapter: MatrixAdapter; context: TestContext }> = [];
    let main: { adapter: MatrixAdapter; context: TestContext };
    let dmRoom: string;
    let groupRoom: string;

    const startAdapter = async (extra: Partial<MatrixConfigInput> = {}) => {
      const adapter = createMatrixAdapter({
        homeserver: synapse.url,
        userId: bot.userId,
        password: bot.password,
        allowedUsers: [alice.userId],
        stateDir,
        syncTimeoutMs: 5_000,
        ...extra,
      });
      const context = createTestContext();
      await adapter.start(context.ctx);
      const entry = { adapter, context };
      running.push(entry);
      return entry;
    };
    const stopAdapter = async (entry: { adapter: MatrixAdapter; context: TestContext }) => {
      await entry.adapter.stop();
      await entry.context.cleanup();
      running.splice(running.indexOf(entry), 1);
    };

    beforeAll(async () => {
      synapse = await startSynapse();
      bot = await synapse.register('hermesbot');
      const a = await synapse.register('alice');
      aliceUser = a;
      const c = await synapse.register('carol');
      alice = new CsClient(synapse.url, a.userId, a.accessToken);
      carol = new CsClient(synapse.url, c.userId, c.accessToken);
      stateDir = mkdtempSync(join(tmpdir(), 'hermes-matrix-synapse-'));
      main = await startAdapter();
    }, 90_000);

    afterAll(async () => {
      for (const entry of [...running]) await stopAdapter(entry);
      await synapse?.stop();
      if (stateDir) await rm(stateDir, { recursive: true, force: true });
    }, 30_000);

    it('DM: joins on an invite from an allowed user, receives the DM, answers with HTML as a reply', async () => {
      dmRoom = await alice.createRoom({ direct: true, invite: [bot.userId] });
      await eventually(
        async () => ((await alice.members(dmRoom)).includes(bot.userId) ? true : undefined),
        'the bot to join the DM',
      );
      const asked = await alice.send(dmRoom, { msgtype: 'm.text', body: 'hello bot from a DM' });
      const msg = await main.context.waitForReceived((m) => m.text === 'hello bot from a DM', 15_000);
      expect(msg.id).toBe(asked);
      expect(msg.chat).toMatchObject({ platform: 'matrix', chatId: dmRoom, chatType: 'dm' });
      expect(msg.sender.id).toBe(alice.userId);
      const result = await main.adapter.send(msg.chat, { text: 'a **bold** answer', replyTo: msg.id });
      expect(result.ok).toBe(true);
      const answer = await eventually(
        async () =>
          (await alice.recent(dmRoom)).find((e) => e.sender === bot.userId && e.type === 'm.room.message'),
        'the answer in the DM',
      );
      expect(answer.content['formatted_body']).toContain('<strong>bold</strong>');
      expect(answer.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: asked } });
    });

    it('invites from users who are not allowed are left alone', async () => {
      const room = await carol.createRoom({ invite: [bot.userId] });
      // Wait for something the bot certainly processed after the invite: a DM it must receive.
      await alice.send(dmRoom, { msgtype: 'm.text', body: 'marker after carol invited' });
      await main.context.waitForReceived((m) => m.text === 'marker after carol invited', 15_000);
      expect(await carol.members(room)).not.toContain(bot.userId);
      expect(main.context.logger.find('info').some((e) => e.msg.includes('not allowed'))).toBe(true);
    });

    it('room: only messages that mention the bot (pill, user id or display name) get through, mention stripped', async () => {
      groupRoom = await alice.createRoom({ invite: [bot.userId, carol.userId], name: 'Team room' });
      await carol.join(groupRoom);
      await eventually(
        async () => ((await alice.members(groupRoom)).includes(bot.userId) ? true : undefined),
        'the bot to join the room',
      );
      await alice.send(groupRoom, { msgtype: 'm.text', body: 'just humans talking' });
      await alice.send(groupRoom, {
        msgtype: 'm.text',
        body: 'hermesbot: what is the status?',
        format: 'org.matrix.custom.html',
        formatted_body: `<a href="https://matrix.to/#/${bot.userId}">hermesbot</a>: what is the status?`,
        'm.mentions': { user_ids: [bot.userId] },
      });
      await alice.send(groupRoom, { msgtype: 'm.text', body: `${bot.userId} by id` });
      await alice.send(groupRoom, { msgtype: 'm.text', body: 'hermesbot, by display name' });
      const pill = await main.context.waitForReceived((m) => m.text === 'what is the status?', 15_000);
      expect(pill.mentionsBot).toBe(true);
      expect(pill.chat).toMatchObject({ chatId: groupRoom, chatType: 'group', chatName: 'Team room' });
      const byId = await main.context.waitForReceived((m) => m.text === 'by id', 15_000);
      expect(byId.mentionsBot).toBe(true);
      const byName = await main.context.waitForReceived((m) => m.text === 'by display name', 15_000);
      expect(byName.mentionsBot).toBe(true);
      expect(main.context.received.some((m) => m.text.includes('just humans talking'))).toBe(false);
    });

    it('thread: m.thread becomes threadId, the answer lands in the same thread', async () => {
      const root = await alice.send(groupRoom, { msgtype: 'm.text', body: 'thread root (no mention)' });
      await alice.send(groupRoom, {
        msgtype: 'm.text',
        body: 'hermesbot: inside the thread',
        'm.mentions': { user_ids: [bot.userId] },
        'm.relates_to': {
          rel_type: 'm.thread',
          event_id: root,
          is_falling_back: true,
          'm.in_reply_to': { event_id: root },
        },
      });
      const msg = await main.context.waitForReceived((m) => m.text === 'inside the thread', 15_000);
      expect(msg.chat.threadId).toBe(root);
      expect((await main.adapter.send(msg.chat, { text: 'answer in thread' })).ok).toBe(true);
      const answer = await eventually(
        async () =>
          (await alice.recent(groupRoom)).find(
            (e) => e.sender === bot.userId && e.content['body'] === 'answer in thread',
          ),
        'the thread answer',
      );
      expect(answer.content['m.relates_to']).toMatchObject({ rel_type: 'm.thread', event_id: root });
    });

    it('edit: streaming edits arrive as m.replace with m.new_content', async () => {
      const chat = { platform: 'matrix', chatId: dmRoom, chatType: 'dm' as const };
      const sent = await main.adapter.send(chat, { text: 'draft 1' });
      if (!sent.ok) throw sent.error;
      const edited = await main.adapter.edit(chat, sent.messageIds[0]!, 'final *text*');
      expect(edited.ok).toBe(true);
      const replace = await eventually(
        async () =>
          (await alice.recent(dmRoom)).find(
            (e) =>
              (e.content['m.relates_to'] as Record<string, unknown> | undefined)?.['rel_type'] ===
              'm.replace',
          ),
        'the edit event',
      );
      expect(replace.content['m.relates_to']).toMatchObject({ event_id: sent.messageIds[0] });
      expect((replace.content['m.new_content'] as Record<string, unknown>)['formatted_body']).toContain(
        'final <em>text</em>',
      );
    });

    it('media: an image in comes out of the authenticated media API byte for byte; an image out is downloadable', async () => {
      const mxc = await alice.upload(TINY_PNG, 'image/png', 'dot.png');
      await alice.send(dmRoom, {
        msgtype: 'm.image',
        body: 'dot.png',
        filename: 'dot.png',
        url: mxc,
        info: { mimetype: 'image/png', size: TINY_PNG.length },
      });
      const msg = await main.context.waitForReceived((m) => m.attachments.length > 0, 15_000);
      expect(msg.attachments[0]!.kind).toBe('image');
      expect(await readFile(await msg.attachments[0]!.fetch())).toEqual(TINY_PNG);

      const path = join(stateDir, 'out.png');
      await writeFile(path, TINY_PNG);
      const result = await main.adapter.send(msg.chat, {
        media: [{ kind: 'image', path, mime: 'image/png', name: 'out.png' }],
      });
      expect(result.ok).toBe(true);
      const image = await eventually(
        async () =>
          (await alice.recent(dmRoom)).find(
            (e) => e.sender === bot.userId && e.content['msgtype'] === 'm.image',
          ),
        'the image from the bot',
      );
      expect(image.content['filename']).toBe('out.png');
      expect(await alice.download(String(image.content['url']))).toEqual(TINY_PNG);
    });

    it('restart: same device, messages sent while down arrive once, nothing older is replayed', async () => {
      const sessionBefore = JSON.parse(readFileSync(join(stateDir, 'session.json'), 'utf8')) as {
        deviceId: string;
      };
      await stopAdapter(main);
      await alice.send(dmRoom, { msgtype: 'm.text', body: 'sent while the bot was down' });
      main = await startAdapter();
      await main.context.waitForReceived((m) => m.text === 'sent while the bot was down', 15_000);
      await alice.send(dmRoom, { msgtype: 'm.text', body: 'after the restart' });
      await main.context.waitForReceived((m) => m.text === 'after the restart', 15_000);
      const texts = main.context.received.map((m) => m.text);
      expect(texts).toEqual(['sent while the bot was down', 'after the restart']);
      const sessionAfter = JSON.parse(readFileSync(join(stateDir, 'session.json'), 'utf8')) as {
        deviceId: string;
      };
      expect(sessionAfter.deviceId).toBe(sessionBefore.deviceId);
    });

    it('idempotent send: a keyed reply repeated (first cut off, then its answer lost, then after a restart) shows each part once', async () => {
      const chat = { platform: 'matrix', chatId: dmRoom, chatType: 'dm' as const };
      const marker = `idem${randomBytes(4).toString('hex')}`;
      const parts = [0, 1, 2].map((n) => `${marker} part ${n}: ${'lorem ipsum '.repeat(250)}`);
      const key = `h-${marker}`;
      const ours = async () =>
        (await alice.recent(dmRoom, 50))
          .filter((e) => e.sender === bot.userId && String(e.content['body'] ?? '').startsWith(marker))
          .reverse();
      // A first try that got only part 1 out (the process died before part 2): same key, one event.
      const cut = await main.adapter.send(chat, { text: parts[0]!, idempotencyKey: key });
      if (!cut.ok) throw cut.error;
      const full = { text: parts.join('\n\n'), idempotencyKey: key };
      const repeated = await main.adapter.send(chat, full);
      if (!repeated.ok) throw repeated.error;
      expect(repeated.messageIds).toHaveLength(3);
      expect(repeated.messageIds[0], 'Synapse answers part 1 with the event it already has').toBe(
        cut.messageIds[0],
      );
      // The answer to that lost too: the same send again creates nothing.
      const again = await main.adapter.send(chat, full);
      if (!again.ok) throw again.error;
      expect(again.messageIds).toEqual(repeated.messageIds);
      // And once more from a restarted adapter: it keeps its device, the scope of transaction ids.
      await stopAdapter(main);
      main = await startAdapter();
      const afterRestart = await main.adapter.send(chat, full);
      if (!afterRestart.ok) throw afterRestart.error;
      expect(afterRestart.messageIds).toEqual(repeated.messageIds);
      const inRoom = await ours();
      expect(inRoom.map((e) => e.event_id)).toEqual(repeated.messageIds);
      expect(inRoom.map((e) => String(e.content['body']).slice(0, marker.length + 7))).toEqual(
        [0, 1, 2].map((n) => `${marker} part ${n}`),
      );
    }, 30_000);

    it('encrypted room (MATRIX_ENCRYPTION=true): the DM is decrypted and the answer goes out encrypted', async () => {
      await stopAdapter(main);
      const e2eeDir = mkdtempSync(join(tmpdir(), 'hermes-matrix-e2ee-'));
      let e2ee = await startAdapter({ encryption: true, stateDir: e2eeDir });
      const aliceSdk = new MatrixClient({
        baseUrl: synapse.url,
        accessToken: aliceUser.accessToken,
        userId: aliceUser.userId,
        deviceId: aliceUser.deviceId,
        store: new MemoryStore(),
        logger: quietSdkLogger(silentLogger),
      });
      try {
        await aliceSdk.initRustCrypto({ useIndexedDB: false });
        const synced = new Promise<void>((resolve) =>
          aliceSdk.on(ClientEvent.Sync, (state: SyncState) => state === SyncState.Syncing && resolve()),
        );
        await aliceSdk.startClient({ initialSyncLimit: 0 });
        await synced;
        const room = await alice.createRoom({ direct: true, invite: [bot.userId], encrypted: true });
        await eventually(
          async () => ((await alice.members(room)).includes(bot.userId) ? true : undefined),
          'the bot to join',
        );
        await eventually(
          async () =>
            aliceSdk
              .getRoom(room)
              ?.getJoinedMembers()
              .some((m) => m.userId === bot.userId)
              ? true
              : undefined,
          'alice to see the bot join the encrypted room',
        );
        await aliceSdk.sendMessage(room, { msgtype: MsgType.Text, body: 'a secret question' });
        const msg = await e2ee.context.waitForReceived((m) => m.text === 'a secret question', 20_000);
        expect(msg.chat.chatId).toBe(room);
        expect(
          (await alice.recent(room)).filter((e) => e.sender === alice.userId).map((e) => e.type),
        ).toContain('m.room.encrypted');
        expect((await e2ee.adapter.send(msg.chat, { text: 'a secret answer' })).ok).toBe(true);
        const onWire = await eventually(
          async () =>
            (await alice.recent(room)).find((e) => e.sender === bot.userId && e.type !== 'm.room.member'),
          'the bot answer on the wire',
        );
        expect(onWire.type).toBe('m.room.encrypted');
        const decrypted = await eventually(
          async () => {
            const event = aliceSdk.getRoom(room)?.findEventById(onWire.event_id);
            if (!event) return undefined;
            await aliceSdk.decryptEventIfNeeded(event);
            const body = event.getContent()['body'];
            return typeof body === 'string' ? body : undefined;
          },
          'alice to decrypt the answer',
          20_000,
        );
        expect(decrypted).toBe('a secret answer');

        // Files: alice's attachment, encrypted here by the spec (independent of the adapter's code)...
        const key = randomBytes(32);
        const iv = Buffer.concat([randomBytes(8), Buffer.alloc(8)]);
        const cipherer = createCipheriv('aes-256-ctr', key, iv);
        const cipher = Buffer.concat([cipherer.update(TINY_PNG), cipherer.final()]);
        const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
        const url = await alice.upload(cipher, 'application/octet-stream', 'secret.png');
        await aliceSdk.sendMessage(room, {
          msgtype: MsgType.Image,
          body: 'secret.png',
          info: { mimetype: 'image/png', size: TINY_PNG.length },
          file: {
            url,
            key: {
              kty: 'oct',
              key_ops: ['encrypt', 'decrypt'],
              alg: 'A256CTR',
              k: key.toString('base64url'),
              ext: true,
            },
            iv: b64(iv),
            hashes: { sha256: b64(createHash('sha256').update(cipher).digest()) },
            v: 'v2',
          },
        });
        const withFile = await e2ee.context.waitForReceived((m) => m.attachments.length > 0, 20_000);
        expect(await readFile(await withFile.attachments[0]!.fetch())).toEqual(TINY_PNG);

        // ...and the bot's file: encrypted on the wire and in the content repository, readable by alice.
        const path = join(stateDir, 'secret-out.png');
        await writeFile(path, TINY_PNG);
        expect(
          (await e2ee.adapter.send(msg.chat, { media: [{ kind: 'image', path, mime: 'image/png' }] })).ok,
        ).toBe(true);
        const fileContent = await eventually(
          async () => {
            const newest = (await alice.recent(room)).find((e) => e.sender === bot.userId);
            const event = newest ? aliceSdk.getRoom(room)?.findEventById(newest.event_id) : undefined;
            if (!event) return undefined;
            await aliceSdk.decryptEventIfNeeded(event);
            const content = event.getContent();
            return content['msgtype'] === 'm.image' ? content : undefined;
          },
          'alice to decrypt the bot image event',
          20_000,
        );
        expect(fileContent['url']).toBeUndefined();
        const file = fileContent['file'] as { url: string; key: { k: string }; iv: string };
        const stored = await alice.download(file.url);
        expect(stored.equals(TINY_PNG)).toBe(false);
        const decipher = createDecipheriv(
          'aes-256-ctr',
          Buffer.from(file.key.k, 'base64url'),
          Buffer.from(file.iv, 'base64'),
        );
        expect(Buffer.concat([decipher.update(stored), decipher.final()])).toEqual(TINY_PNG);

        // Crypto keys live in memory only (README): a restart replaces the device instead of reusing its id.
        const deviceOf = () =>
          (JSON.parse(readFileSync(join(e2eeDir, 'session.json'), 'utf8')) as { deviceId: string }).deviceId;
        const oldDevice = deviceOf();
        await stopAdapter(e2ee);
        e2ee = await startAdapter({ encryption: true, stateDir: e2eeDir });
        expect(deviceOf()).not.toBe(oldDevice);
        const botApi = new CsClient(synapse.url, bot.userId, bot.accessToken);
        const devices = await botApi.call<{ devices: Array<{ device_id: string }> }>(
          'GET',
          '/_matrix/client/v3/devices',
        );
        expect(devices.devices.map((d) => d.device_id)).not.toContain(oldDevice);
      } finally {
        aliceSdk.stopClient();
        if (running.includes(e2ee)) await stopAdapter(e2ee);
        await rm(e2eeDir, { recursive: true, force: true });
      }
    }, 60_000);
  },
);
