import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyPng, waitFor } from '@hermes/adapter-testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Rig, startRig } from './test-support.js';

const GROUP = 'Z3JvdXAtb25lLWZha2U=';
let rig: Rig | undefined;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signal-out-'));
});
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function started(config: Parameters<typeof startRig>[0] = {}): Promise<Rig> {
  rig = await startRig({ groupAllowedUsers: [GROUP], ...config });
  await rig.adapter.start(rig.context.ctx);
  return rig;
}

describe('signal outbound through JSON-RPC send', () => {
  it('sends plain text with text styles, quoting the replied message on the first chunk only', async () => {
    const { fake, adapter, context } = await started();
    await fake.deliverDm('question', { from: '+15550004444' });
    const msg = await context.waitForReceived((m) => m.text === 'question');
    const long = `**Answer**: ${'lorem ipsum '.repeat(800)}`;
    const result = await adapter.send(msg.chat, { text: long, replyTo: msg.id });
    expect(result.ok).toBe(true);
    const sent = fake.sentMessages();
    expect(sent.length).toBeGreaterThan(1);
    expect(sent[0]).toMatchObject({ chatId: '+15550004444', replyTo: msg.id, textStyles: ['0:6:BOLD'] });
    expect(sent[0]!.text!.startsWith('Answer: lorem')).toBe(true);
    expect(sent.slice(1).every((m) => m.replyTo === undefined)).toBe(true);
    if (result.ok) expect(result.messageIds).toEqual(sent.map((m) => `${m.timestamp}@${fake.account}`));
  });

  it('sends to a group by groupId', async () => {
    const { fake, adapter } = await started();
    const result = await adapter.send(
      { platform: 'signal', chatId: `group:${GROUP}`, chatType: 'group' },
      { text: 'hello group' },
    );
    expect(result.ok).toBe(true);
    const [sent] = fake.sentMessages();
    expect(sent?.chatId).toBe(`group:${GROUP}`);
    expect(sent?.raw).toMatchObject({ groupId: GROUP, message: 'hello group' });
    expect(sent?.raw).not.toHaveProperty('recipient');
  });

  it('sends a file as a data URI carrying its name and bytes, with the caption as text', async () => {
    const { fake, adapter } = await started();
    const path = join(dir, 'chart one.png');
    await writeFile(path, tinyPng());
    const result = await adapter.send(
      { platform: 'signal', chatId: '+15550004444', chatType: 'dm' },
      { media: [{ kind: 'image', path, mime: 'image/png', caption: 'the chart' }] },
    );
    expect(result.ok).toBe(true);
    const [sent] = fake.sentMessages();
    expect(sent).toMatchObject({ mediaName: 'chart one.png', mediaMime: 'image/png', text: 'the chart' });
    expect(sent?.mediaBytes?.equals(tinyPng())).toBe(true);
  });

  it('sends the path itself when outboundAttachments is "path"', async () => {
    const { fake, adapter } = await started({ outboundAttachments: 'path' });
    const path = join(dir, 'doc.txt');
    await writeFile(path, 'contents');
    await adapter.send(
      { platform: 'signal', chatId: '+15550004444', chatType: 'dm' },
      { media: [{ kind: 'file', path }] },
    );
    expect(fake.sentMessages()[0]?.raw).toMatchObject({ attachments: [path] });
  });

  it('refuses a file over the cap before anything is sent', async () => {
    const { fake, adapter } = await started({ maxMediaBytes: 10 });
    const path = join(dir, 'big.bin');
    await writeFile(path, Buffer.alloc(11));
    const result = await adapter.send(
      { platform: 'signal', chatId: '+15550004444', chatType: 'dm' },
      { media: [{ kind: 'file', path }] },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(
      fake.server.requests.filter((r) => r.path === '/api/v1/rpc' && r.text().includes('"send"')),
    ).toHaveLength(0);
  });

  it('a send whose connection breaks mid-request is reported ambiguous and never resent', async () => {
    const { fake, adapter } = await started();
    fake.server.faults.next(
      { kind: 'drop' },
      1,
      (r) => r.path === '/api/v1/rpc' && r.text().includes('"send"'),
    );
    const result = await adapter.send(
      { platform: 'signal', chatId: '+15550004444', chatType: 'dm' },
      { text: 'once' },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout_ambiguous' } });
    const sends = fake.server.requests.filter((r) => r.path === '/api/v1/rpc' && r.text().includes('"send"'));
    expect(sends).toHaveLength(1);
  });

  it('typing and reactions reach the daemon with the target message author and timestamp', async () => {
    const { fake, adapter, context } = await started();
    await fake.deliverGroup('react to me', { mention: false, from: '+15550005555', groupId: GROUP });
    const msg = await context.waitForReceived((m) => m.text === 'react to me');
    await adapter.typing(msg.chat);
    await adapter.react(msg.chat, msg.id, '✅');
    expect(fake.typing()).toEqual([{ chatId: `group:${GROUP}`, stop: false }]);
    const [timestamp] = msg.id.split('@');
    expect(fake.reactions()).toEqual([
      {
        chatId: `group:${GROUP}`,
        emoji: '✅',
        targetAuthor: '+15550005555',
        targetTimestamp: Number(timestamp),
        remove: false,
      },
    ]);
    await expect(adapter.react(msg.chat, 'not-an-id', '❌')).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('signal inbound through the daemon', () => {
  it('fetches an attachment with getAttachment into the media cache', async () => {
    const { fake, context } = await started();
    const bytes = Buffer.from('%PDF-1.4 fake document');
    await fake.deliverMedia({ bytes, name: 'report.pdf', mime: 'application/pdf', text: 'see attached' });
    const msg = await context.waitForReceived((m) => m.attachments.length > 0);
    expect(msg.text).toBe('see attached');
    const path = await msg.attachments[0]!.fetch();
    expect(path.startsWith(context.ctx.mediaCache.dir)).toBe(true);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    const call = fake.server.requests.find((r) => r.text().includes('getAttachment'));
    expect(call?.json()).toMatchObject({ method: 'getAttachment', params: { recipient: '+15550002222' } });
  });

  it('refuses an attachment announced over the cap without asking the daemon', async () => {
    const { fake, context } = await started({ maxMediaBytes: 8 });
    await fake.deliverMedia({ bytes: Buffer.alloc(9), name: 'big.bin', mime: 'application/octet-stream' });
    const msg = await context.waitForReceived((m) => m.attachments.length > 0);
    await expect(msg.attachments[0]!.fetch()).rejects.toMatchObject({ code: 'too_large' });
    expect(fake.server.requests.some((r) => r.text().includes('getAttachment'))).toBe(false);
  });

  it('recognises a mention that names the bot by service id only, learnt from the daemon', async () => {
    const { fake, context } = await started({ requireMention: true });
    await waitFor(() => fake.server.requests.some((r) => r.text().includes('getUserStatus')), {
      timeoutMs: 3_000,
      what: 'the adapter to ask for its own service id',
    });
    await fake.deliverEnvelope({
      sourceNumber: '+15550006666',
      sourceUuid: 'dddddddd-0000-4000-8000-000000000000',
      timestamp: 42,
      dataMessage: {
        timestamp: 42,
        message: '\ufffc status?',
        mentions: [{ start: 0, length: 1, uuid: fake.accountUuid, number: null }],
        groupInfo: { groupId: GROUP, type: 'DELIVER' },
      },
    });
    await fake.deliverGroup('nobody asked you', { mention: false, groupId: GROUP });
    await fake.deliverGroup('marker', { mention: true, groupId: GROUP });
    await context.waitForReceived((m) => m.text === 'marker');
    expect(context.received.map((m) => m.text)).toEqual(['status?', 'marker']);
    expect(context.received.every((m) => m.mentionsBot)).toBe(true);
  });

  it('a replayed event (same source and timestamp) reaches the host once', async () => {
    const { fake, adapter, context } = await started();
    const envelope = {
      sourceNumber: '+15550007777',
      sourceUuid: 'eeeeeeee-0000-4000-8000-000000000000',
      timestamp: 77,
      dataMessage: { timestamp: 77, message: 'only once' },
    };
    await fake.deliverEnvelope(envelope);
    await fake.deliverEnvelope(envelope);
    await fake.deliverDm('marker');
    await context.waitForReceived((m) => m.text === 'marker');
    expect(context.received.filter((m) => m.text === 'only once')).toHaveLength(1);
    expect(adapter.stats().duplicates).toBe(1);
  });
});
