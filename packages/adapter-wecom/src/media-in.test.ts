import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createTestContext, type TestContext, tinyPng } from '@hermes/adapter-testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchWecomMedia, type WecomMediaFetchOptions } from './media-in.js';
import { type Rig, startRig } from './test-support.js';
import { generateWecomAesKey, startWecomFakeServer, type WecomFakeServer } from './testing/fake-server.js';

let fake: WecomFakeServer;
let context: TestContext;
let rig: Rig | undefined;

beforeEach(async () => {
  fake = await startWecomFakeServer();
  context = createTestContext();
});
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  await fake.close();
  await context.cleanup();
});

const options = (o: Partial<WecomMediaFetchOptions> = {}): WecomMediaFetchOptions => ({
  cache: context.ctx.mediaCache,
  maxBytes: 20 * 1024 * 1024,
  allowPrivate: true,
  ...o,
});

describe('fetchWecomMedia', () => {
  it('downloads and decrypts an AES image; type and extension come from the decrypted bytes', async () => {
    const aeskey = generateWecomAesKey();
    const url = fake.hostMedia(tinyPng(), { aeskey, contentType: 'application/octet-stream' });
    const saved = await fetchWecomMedia({ url, aeskey }, options());
    expect(saved).toMatchObject({ mime: 'image/png', bytes: tinyPng().length });
    expect(saved.name).toMatch(/\.png$/);
    expect((await readFile(saved.path)).equals(tinyPng())).toBe(true);
    expect(saved.path.startsWith(context.ctx.mediaCache.dir)).toBe(true);
  });

  it('keeps the Content-Disposition file name, or the payload name when WeCom gives one', async () => {
    const data = Buffer.from('%PDF-1.4 hello');
    const fromHeader = await fetchWecomMedia(
      { url: fake.hostMedia(data, { filename: 'quarterly.pdf' }) },
      options(),
    );
    expect(fromHeader.name).toBe('quarterly.pdf');
    const fromPayload = await fetchWecomMedia(
      { url: fake.hostMedia(data, { filename: 'x.pdf' }), filename: '季度报告.pdf' },
      options(),
    );
    expect(fromPayload.name).toBe('季度报告.pdf');
  });

  it('decodes inline base64 and data URLs', async () => {
    const inline = await fetchWecomMedia({ base64: tinyPng().toString('base64') }, options());
    expect((await readFile(inline.path)).equals(tinyPng())).toBe(true);
    const dataUrl = await fetchWecomMedia(
      { url: `data:image/png;base64,${tinyPng().toString('base64')}` },
      options(),
    );
    expect(dataUrl.mime).toBe('image/png');
  });

  it('refuses loopback and private hosts unless HERMES_MEDIA_ALLOW_PRIVATE is set, also via DNS', async () => {
    const url = fake.hostMedia(tinyPng());
    await expect(fetchWecomMedia({ url }, options({ allowPrivate: false }))).rejects.toMatchObject({
      code: 'media_refused',
    });
    const rebinding = url.replace('127.0.0.1', 'media.example.com');
    const lookup = async () => [{ address: '127.0.0.1', family: 4 as const }];
    await expect(
      fetchWecomMedia({ url: rebinding }, options({ allowPrivate: false, lookup })),
    ).rejects.toMatchObject({
      code: 'media_refused',
    });
  });

  it('caps the size at 20 MB (here a smaller cap) while streaming, and for inline data', async () => {
    const url = fake.hostMedia(randomBytes(5_000));
    await expect(fetchWecomMedia({ url }, options({ maxBytes: 4_000 }))).rejects.toMatchObject({
      code: 'too_large',
    });
    await expect(
      fetchWecomMedia({ base64: randomBytes(5_000).toString('base64') }, options({ maxBytes: 4_000 })),
    ).rejects.toMatchObject({
      code: 'too_large',
    });
  });

  it('a wrong key is a decrypt error, and no partial file is left in the cache', async () => {
    // Fixed keys keep this deterministic: a random wrong key passes the padding check about 1 time in 256.
    const right = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1)).toString('base64');
    const wrong = Buffer.from(Array.from({ length: 32 }, (_, i) => 200 - i)).toString('base64');
    const url = fake.hostMedia(tinyPng(), { aeskey: right });
    const error = await fetchWecomMedia({ url, aeskey: wrong }, options()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'wecom_media_decrypt' });
    expect(await readdir(context.ctx.mediaCache.dir).catch(() => [])).toEqual([]);
  });
});

describe('media in through the adapter', () => {
  it('an image callback exposes a lazy attachment whose fetch() decrypts into the media cache', async () => {
    rig = await startRig();
    const aeskey = generateWecomAesKey();
    const png = tinyPng();
    rig.fake.deliver({
      from: 'alice',
      msgtype: 'image',
      image: { url: rig.fake.hostMedia(png, { aeskey }), aeskey },
    });
    const msg = await rig.context.waitForReceived((m) => m.attachments.length > 0);
    expect(msg.attachments[0]).toMatchObject({ kind: 'image' });
    const path = await msg.attachments[0]!.fetch();
    expect((await readFile(path)).equals(png)).toBe(true);
    expect(msg.attachments[0]).toMatchObject({ mime: 'image/png', size: png.length });
  });

  it('a mixed message downloads its images and joins its text', async () => {
    rig = await startRig();
    const png = tinyPng();
    rig.fake.deliver({
      from: 'alice',
      msgtype: 'mixed',
      mixed: {
        msg_item: [
          { msgtype: 'text', text: { content: 'part1' } },
          { msgtype: 'image', image: { url: rig.fake.hostMedia(png) } },
          { msgtype: 'text', text: { content: 'part2' } },
        ],
      },
    });
    const msg = await rig.context.waitForReceived((m) => m.attachments.length > 0);
    expect(msg.text).toBe('part1\npart2');
    expect((await readFile(await msg.attachments[0]!.fetch())).equals(png)).toBe(true);
  });

  it('a quoted appmsg gives replyTo.text and its file as an attachment', async () => {
    rig = await startRig();
    rig.fake.deliver({
      from: 'alice',
      text: 'summarise this',
      quote: {
        msgtype: 'appmsg',
        appmsg: {
          title: 'Plan',
          description: 'the plan',
          file: { url: rig.fake.hostMedia(Buffer.from('plan body'), { filename: 'plan.txt' }) },
        },
      },
    });
    const msg = await rig.context.waitForReceived((m) => m.text === 'summarise this');
    expect(msg.replyTo?.text).toBe('Plan\nthe plan');
    const path = await msg.attachments[0]!.fetch();
    expect(await readFile(path, 'utf8')).toBe('plan body');
  });
});
