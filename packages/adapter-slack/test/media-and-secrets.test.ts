import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DM, type SlackTestRig, startRig } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('slack files in, and secrets', () => {
  it('downloads url_private with the bot token as a header; the tokens never reach the log', async () => {
    rig = await startRig();
    const { fake, context, adapter } = rig;
    const file = fake.shareFile({
      bytes: Buffer.from('%PDF-1.4 fake'),
      name: 'doc.pdf',
      mimetype: 'application/pdf',
    });
    fake.message({ channel: DM, text: 'see attached', files: [file] });
    const msg = await context.waitForReceived((m) => m.attachments.length === 1, 5_000);
    expect(msg.text).toBe('see attached');
    expect(msg.attachments[0]).toMatchObject({ kind: 'file', name: 'doc.pdf', mime: 'application/pdf' });
    const path = await msg.attachments[0]!.fetch();
    expect((await readFile(path)).toString()).toBe('%PDF-1.4 fake');
    const download = fake.requests.find((r) => r.path.startsWith('/files-pri/'));
    expect(download?.headers['authorization']).toBe(`Bearer ${fake.botToken}`);
    // Make some noise that could leak: failures, retries, reconnects.
    fake.failNext('chat.postMessage', { kind: 'error', error: 'invalid_auth' });
    await adapter.send({ platform: 'slack', chatId: DM, chatType: 'dm' }, { text: 'x' });
    fake.dropSockets();
    fake.message({ channel: DM, text: 'after drop' });
    await context.waitForReceived((m) => m.text === 'after drop', 5_000);
    const logged = JSON.stringify(context.logger.entries);
    expect(logged).not.toContain(fake.botToken);
    expect(logged).not.toContain(fake.appToken);
  });

  it('refuses files on private addresses unless HERMES_MEDIA_ALLOW_PRIVATE is set', async () => {
    rig = await startRig({ config: { mediaAllowPrivate: false } });
    const { fake, context } = rig;
    const file = fake.shareFile({ bytes: Buffer.from('x'), name: 'a.txt', mimetype: 'text/plain' });
    fake.message({ channel: DM, text: '', files: [file] });
    const msg = await context.waitForReceived((m) => m.attachments.length === 1, 5_000);
    await expect(msg.attachments[0]!.fetch()).rejects.toMatchObject({ code: 'media_refused' });
    expect(fake.requests.some((r) => r.path.startsWith('/files-pri/'))).toBe(false);
  });

  it('a file over maxMediaBytes is refused before downloading', async () => {
    rig = await startRig({ config: { maxMediaBytes: 10 } });
    const { fake, context } = rig;
    const file = fake.shareFile({
      bytes: Buffer.alloc(100, 1),
      name: 'big.bin',
      mimetype: 'application/octet-stream',
    });
    fake.message({ channel: DM, text: 'big', files: [file] });
    const msg = await context.waitForReceived((m) => m.attachments.length === 1, 5_000);
    await expect(msg.attachments[0]!.fetch()).rejects.toMatchObject({ code: 'too_large' });
  });

  it('files without a download URL (tombstones) are left out', async () => {
    rig = await startRig();
    rig.fake.message({ channel: DM, text: 'deleted file', files: [{ id: 'F0GONE', mode: 'tombstone' }] });
    const msg = await rig.context.waitForReceived((m) => m.text === 'deleted file', 5_000);
    expect(msg.attachments).toHaveLength(0);
  });
});
