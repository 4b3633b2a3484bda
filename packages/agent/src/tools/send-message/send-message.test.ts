import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../agent.js';
import { createApprovalGate } from '../../approvals/approval-gate.js';
import { collectTurn } from '../../testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../testing/fake-openai.js';
import { step } from '../../testing/steps.js';
import { parseMessageTarget } from './message-target.js';
import { createSendMessageTool, type SendMessageCall } from './send-message-tool.js';

describe('parseMessageTarget', () => {
  it.each([
    ['home', { kind: 'home' }, 'home'],
    ['HOME', { kind: 'home' }, 'home'],
    ['telegram', { kind: 'platform', platform: 'telegram' }, 'telegram'],
    [
      'Telegram:-1001234',
      { kind: 'platform', platform: 'telegram', chatId: '-1001234' },
      'telegram:-1001234',
    ],
    [
      'telegram:-1001234:17',
      { kind: 'platform', platform: 'telegram', chatId: '-1001234', threadId: '17' },
      'telegram:-1001234:17',
    ],
    [
      'slack:C0123:1700000000.123456',
      { kind: 'platform', platform: 'slack', chatId: 'C0123', threadId: '1700000000.123456' },
      'slack:C0123:1700000000.123456',
    ],
    [
      'email:alice@example.com',
      { kind: 'platform', platform: 'email', chatId: 'alice@example.com' },
      'email:alice@example.com',
    ],
    [
      'matrix:!room:example.org',
      { kind: 'platform', platform: 'matrix', chatId: '!room:example.org' },
      'matrix:!room:example.org',
    ],
    [
      'matrix:!room:example.org:$evt',
      { kind: 'platform', platform: 'matrix', chatId: '!room:example.org', threadId: '$evt' },
      'matrix:!room:example.org:$evt',
    ],
    ['  discord:123  ', { kind: 'platform', platform: 'discord', chatId: '123' }, 'discord:123'],
  ])('parses %s', (raw, target, normalized) => {
    expect(parseMessageTarget(raw)).toEqual({ ok: true, target, normalized });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['telegram: 123', /spaces/],
    ['9gag:1', /not a platform name/],
    ['tele gram', /spaces/],
    ['telegram:', /chat id after "telegram:" is empty/],
    ['telegram:1:', /thread id/],
    ['telegram:1:2:3', /thread id/],
    ['x'.repeat(300), /longer than 256/],
  ])('rejects %j', (raw, message) => {
    const r = parseMessageTarget(raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(message);
  });

  it('checks the platform against the connected ones when given', () => {
    const r = parseMessageTarget('whatsapp:1', ['telegram', 'slack']);
    expect(!r.ok && r.error).toBe(
      'The platform "whatsapp" is not connected. Connected platforms: telegram, slack.',
    );
    expect(parseMessageTarget('slack:C1', ['telegram', 'slack']).ok).toBe(true);
    expect(parseMessageTarget('home', []).ok).toBe(true);
  });
});

describe('send_message tool in a turn', () => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('delivers through the host function, and refuses bad targets without calling it', async () => {
    const sent: Array<{ target: string; text: string; call: SendMessageCall }> = [];
    const tool = createSendMessageTool(
      async (target, text, call) => {
        sent.push({ target, text, call });
        return target.startsWith('slack')
          ? { ok: false, detail: 'channel_not_found' }
          : { ok: true, detail: 'message id 42' };
      },
      { platforms: ['telegram', 'slack'] },
    );
    fake.script(
      step.toolCalls([
        { name: 'send_message', arguments: { target: 'Telegram:-100:5', message: ' Build finished ' } },
        { name: 'send_message', arguments: { target: 'irc:#x', message: 'hi' } },
        { name: 'send_message', arguments: { target: 'slack:C9', message: 'hi' } },
        { name: 'send_message', arguments: { target: 'home', message: '   ' } },
      ]),
      step.text('Done.'),
    );
    const agent = createAgent({
      baseURL: fake.baseURL,
      apiKey: 'k',
      model: 'm',
      maxRetries: 0,
      tools: [tool],
    });
    const t = await collectTurn(
      agent.runTurn({
        sessionKey: 's',
        history: [],
        userText: 'notify',
        signal: new AbortController().signal,
        approvals: createApprovalGate(),
        context: { platform: 'telegram', chatId: '1' },
      }),
    );
    expect(sent.map((s) => [s.target, s.text])).toEqual([
      ['telegram:-100:5', 'Build finished'],
      ['slack:C9', 'hi'],
    ]);
    expect(sent[0]?.call).toEqual({
      target: { kind: 'platform', platform: 'telegram', chatId: '-100', threadId: '5' },
      sessionKey: 's',
      context: { platform: 'telegram', chatId: '1' },
    });
    const ends = t.ofType('tool-end');
    expect(ends.map((e) => e.ok)).toEqual([true, false, false, false]);
    expect(ends[0]?.output).toBe('Sent to telegram:-100:5. message id 42');
    expect(ends[1]?.output).toContain('"irc" is not connected');
    expect(ends[2]?.output).toBe('Could not send to slack:C9: channel_not_found.');
    expect(ends[3]?.output).toContain('empty');
    expect(t.ofType('tool-start')[0]?.preview).toBe('Telegram:-100:5');
  });
});
