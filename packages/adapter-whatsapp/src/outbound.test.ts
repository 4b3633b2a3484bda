import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatRef, isAdapterError } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN, type Rig, rig } from '../test/harness.js';
import { WhatsappAdapter } from './adapter.js';

const alice = { waId: '15550001111', name: 'Alice' };
const dm: ChatRef = { platform: 'whatsapp', chatId: alice.waId, chatType: 'dm' };
let r: Rig | undefined;

afterEach(async () => {
  await r?.close();
  r = undefined;
});

const actions = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `choice:${i + 1}`, label: `Option ${i + 1}` }));

describe('whatsapp outbound: text and buttons', () => {
  it('Markdown becomes WhatsApp formatting; replyTo quotes on the first chunk only', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    const long = `**Title** _soft_ ~~gone~~ \`x < y && z\` [docs](https://example.com/a?b=1&c=2)\n\n${'word '.repeat(1_500)}`;
    const sent = await r.adapter.send(dm, { text: long, replyTo: 'wamid.question' });
    expect(sent.ok).toBe(true);
    const texts = r.fake.sentMessages();
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts[0]!.text).toMatch(
      /^\*Title\* _soft_ ~gone~ `x < y && z` docs \(https:\/\/example\.com\/a\?b=1&c=2\)/,
    );
    expect(texts[0]!.replyTo).toBe('wamid.question');
    expect(texts.slice(1).every((m) => m.replyTo === undefined)).toBe(true);
    expect(texts.every((m) => (m.text ?? '').length <= 4096)).toBe(true);
  });

  it('up to three actions are reply buttons on the last chunk, whose body fits the 1,024-character limit', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    const sent = await r.adapter.send(dm, {
      text: `Approve this? ${'context '.repeat(400)}`,
      actions: actions(3),
    });
    expect(sent.ok).toBe(true);
    const messages = r.fake.sentMessages();
    const last = messages.at(-1)!;
    expect(last.type).toBe('interactive');
    expect((last.raw['interactive'] as { type: string }).type).toBe('button');
    expect(last.actions).toEqual(actions(3).map((a) => ({ id: a.id, title: a.label })));
    expect([...(last.text ?? '')].length).toBeLessThanOrEqual(1024);
    expect(messages.slice(0, -1).every((m) => m.type === 'text')).toBe(true);
    expect(sent.ok && sent.messageIds.length).toBe(messages.length);
  });

  it('four to ten actions become a list; more than ten send the text alone with a warning', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    expect((await r.adapter.send(dm, { text: 'Pick a model', actions: actions(7) })).ok).toBe(true);
    const list = r.fake.sentMessages().at(-1)!;
    expect((list.raw['interactive'] as { type: string }).type).toBe('list');
    expect(list.actions).toHaveLength(7);
    expect((await r.adapter.send(dm, { text: 'Too many', actions: actions(11) })).ok).toBe(true);
    const plain = r.fake.sentMessages().at(-1)!;
    expect(plain).toMatchObject({ type: 'text', text: 'Too many' });
    expect(r.context.logger.find('warn', 'cannot show these buttons')).not.toHaveLength(0);
  });

  it('files: a PDF goes as a document with caption and file name; an image keeps its kind', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    const dir = await mkdtemp(join(tmpdir(), 'wa-out-'));
    try {
      await writeFile(join(dir, 'report.pdf'), '%PDF-1.4 hello');
      const sent = await r.adapter.send(dm, {
        media: [
          { kind: 'file', path: join(dir, 'report.pdf'), mime: 'application/pdf', caption: 'Q3 numbers' },
        ],
      });
      expect(sent.ok).toBe(true);
      const doc = r.fake.sentMessages().at(-1)!;
      expect(doc).toMatchObject({ type: 'document', mediaName: 'report.pdf', caption: 'Q3 numbers' });
      expect(doc.mediaBytes?.toString()).toBe('%PDF-1.4 hello');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('whatsapp outbound: groups and large files', () => {
  it('a group chat is addressed with recipient_type group and needs no customer window', async () => {
    r = await rig();
    await r.start();
    const group: ChatRef = { platform: 'whatsapp', chatId: 'Y2FwaV9ncm91cDox', chatType: 'group' };
    expect((await r.adapter.send(group, { text: 'hello group' })).ok).toBe(true);
    expect(r.fake.sentMessages().at(-1)!.raw).toMatchObject({
      recipient_type: 'group',
      to: 'Y2FwaV9ncm91cDox',
    });
  });

  it('an image over the 5 MB image cap is sent as a document (up to 100 MB)', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    const dir = await mkdtemp(join(tmpdir(), 'wa-big-'));
    try {
      const path = join(dir, 'scan.png');
      await writeFile(path, Buffer.alloc(6 * 1024 * 1024, 1));
      const sent = await r.adapter.send(dm, { media: [{ kind: 'image', path, mime: 'image/png' }] });
      expect(sent.ok).toBe(true);
      expect(r.fake.sentMessages().at(-1)).toMatchObject({ type: 'document', mediaName: 'scan.png' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('whatsapp outbound: the 24-hour customer-service window', () => {
  it('outside the window without a template: outside_customer_window naming WHATSAPP_TEMPLATE_NAME, nothing sent', async () => {
    r = await rig();
    await r.start();
    const result = await r.adapter.send(dm, { text: 'cron report' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('outside_customer_window');
      expect(result.error.retryable).toBe(false);
      expect(result.error.fix).toMatch(/WHATSAPP_TEMPLATE_NAME/);
    }
    expect(r.fake.server.requests.filter((q) => q.path.endsWith('/messages'))).toHaveLength(0);
    await expect(r.adapter.react(dm, 'wamid.x', '👍')).rejects.toMatchObject({
      code: 'outside_customer_window',
    });
  });

  it('outside the window with a template: the template carries the text flattened into its variable', async () => {
    r = await rig({ config: { templateName: 'hermes_update', templateLanguage: 'en' } });
    await r.start();
    const result = await r.adapter.send(dm, { text: 'Daily report:\n\n- all   green\n- no alerts' });
    expect(result.ok).toBe(true);
    const template = r.fake.sentMessages().at(-1)!;
    expect(template.type).toBe('template');
    expect(template.raw['template']).toMatchObject({ name: 'hermes_update', language: { code: 'en' } });
    expect(template.text).toBe('Daily report: · - all green · - no alerts');
  });

  it('a template Meta does not know fails with template_rejected and a fix', async () => {
    r = await rig({ config: { templateName: 'no_such_template' } });
    await r.start();
    const result = await r.adapter.send(dm, { text: 'hello' });
    expect(!result.ok && result.error.code).toBe('template_rejected');
    expect(!result.ok && result.error.fix).toMatch(/WHATSAPP_TEMPLATE_LANGUAGE/);
  });

  it('a user who writes opens the window; it survives a restart through the state file', async () => {
    r = await rig();
    await r.start();
    await r.fake.deliverDm('hi bot', alice);
    await r.context.waitForReceived();
    expect((await r.adapter.send(dm, { text: 'hello back' })).ok).toBe(true);
    await r.adapter.stop();
    const again = new WhatsappAdapter(r.config);
    r.fake.webhookUrl = () => again.webhookUrl;
    await again.start(r.context.ctx);
    try {
      expect(again.customerWindowOpen(alice.waId)).toBe(true);
      expect((await again.send(dm, { text: 'after restart' })).ok).toBe(true);
    } finally {
      await again.stop();
    }
  });
});

describe('whatsapp outbound: when Meta knows better', () => {
  it('a send Meta fails afterwards with #131047 closes the window, so the next send asks for a template', async () => {
    r = await rig({ openWindows: [alice.waId], fake: { statusWebhooks: true } });
    await r.start();
    // Meta's view: the user last wrote 25 hours ago (the adapter's state file was stale).
    r.fake.userWrote(alice.waId, Date.now() - 25 * 60 * 60 * 1000);
    const first = await r.adapter.send(dm, { text: 'are you still there?' });
    expect(first.ok).toBe(true);
    const id = first.ok ? first.messageIds[0]! : '';
    await waitFor(() => r!.adapter.deliveryStatus(id)?.status === 'failed' || undefined, {
      timeoutMs: 5_000,
      what: 'the failed status webhook',
    });
    const second = await r.adapter.send(dm, { text: 'hello?' });
    expect(!second.ok && second.error.code).toBe('outside_customer_window');
  });
});

describe('whatsapp outbound: typing, reactions, start and probe', () => {
  it('typing marks the chat’s newest message read with the typing indicator; react sends a reaction', async () => {
    r = await rig();
    await r.start();
    await r.adapter.typing(dm);
    expect(r.fake.reads()).toHaveLength(0);
    const id = await r.fake.deliverDm('are you there?', alice);
    const msg = await r.context.waitForReceived();
    await r.adapter.typing(msg.chat);
    expect(r.fake.reads()).toEqual([{ messageId: id, typing: true }]);
    await r.adapter.react(msg.chat, id, '👀');
    expect(r.fake.reactions()).toEqual([{ chatId: alice.waId, messageId: id, emoji: '👀' }]);
  });

  it('a wrong token fails start() with auth_failed; a wrong phone number id with config_invalid', async () => {
    r = await rig();
    const badToken = new WhatsappAdapter({ ...r.config, accessToken: 'wrong-token' });
    const e1 = await badToken.start(r.context.ctx).catch((e: unknown) => e);
    expect(isAdapterError(e1) && e1.code).toBe('auth_failed');
    expect(isAdapterError(e1) && e1.fix).toMatch(/WHATSAPP_ACCESS_TOKEN/);
    const badId = new WhatsappAdapter({ ...r.config, phoneNumberId: '999' });
    const e2 = await badId.start(r.context.ctx).catch((e: unknown) => e);
    expect(isAdapterError(e2) && e2.code).toBe('config_invalid');
    expect(isAdapterError(e2) && e2.fix).toMatch(/WHATSAPP_PHONE_NUMBER_ID/);
    expect(r.context.statuses).toContain('failed');
  });

  it('probe() names the business without starting; a bad token gives the fix', async () => {
    r = await rig();
    const ok = await r.adapter.probe();
    expect(ok).toMatchObject({ ok: true, identity: 'Hermes Fake' });
    const bad = await new WhatsappAdapter({ ...r.config, accessToken: 'nope' }).probe();
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.fix).toMatch(/WHATSAPP_ACCESS_TOKEN/);
    expect(JSON.stringify(bad)).not.toContain(ACCESS_TOKEN);
  });

  it('a throughput refusal (#130429, HTTP 400) is retried after a pause and lands once', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    r.fake.server.faults.next(
      {
        kind: 'status',
        status: 400,
        body: { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 } },
      },
      1,
      { method: 'POST', path: /\/messages$/ },
    );
    const result = await r.adapter.send(dm, { text: 'through the throttle' });
    expect(result.ok).toBe(true);
    await waitFor(() => r!.fake.sentMessages().find((m) => m.text === 'through the throttle'), {
      timeoutMs: 5_000,
      what: 'the retried send',
    });
    expect(r.fake.sentMessages().filter((m) => m.text === 'through the throttle')).toHaveLength(1);
  });
});
