import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../agent.js';
import { createApprovalGate } from '../../approvals/approval-gate.js';
import { collectTurn } from '../../testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../testing/fake-openai.js';
import { step } from '../../testing/steps.js';
import { createSendMessageTool, type SendMessageCall } from './send-message-tool.js';

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
