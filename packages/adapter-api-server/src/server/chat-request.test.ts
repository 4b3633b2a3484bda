import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './chat-request.js';

describe('parseChatRequest', () => {
  it('takes the last user message as the prompt, system apart, the rest as history', () => {
    const result = parseChatRequest({
      model: 'x',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', function: { name: 'f', extra: 1 } }] },
        { role: 'tool', content: 'out', tool_call_id: 't1' },
        { role: 'developer', content: 'dev' },
        { role: 'user', content: 'q2' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 1,
      tools: [{ type: 'function' }],
      user: 'someone',
    });
    expect(result).toEqual({
      ok: true,
      request: {
        text: 'q2',
        system: ['sys', 'dev'],
        history: [
          { role: 'user', content: 'q1' },
          { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'f' }] },
          { role: 'tool', content: 'out', toolCallId: 't1' },
        ],
        model: 'x',
        stream: true,
        includeUsage: true,
        options: { temperature: 1 },
        droppedNonText: false,
      },
    });
  });

  it('refuses bodies it cannot use, naming the field', () => {
    expect(parseChatRequest(null)).toMatchObject({ ok: false });
    expect(parseChatRequest({ messages: [] })).toMatchObject({ ok: false, param: 'messages' });
    expect(parseChatRequest({ messages: [{ role: 'wizard', content: 'x' }] })).toMatchObject({
      ok: false,
      param: 'messages.0.role',
    });
    expect(parseChatRequest({ messages: [{ role: 'assistant', content: 'x' }] })).toMatchObject({
      ok: false,
      message: 'messages must contain a user message',
    });
    expect(parseChatRequest({ messages: [{ role: 'user', content: '   ' }] })).toMatchObject({
      ok: false,
      param: 'messages.0.content',
    });
    expect(parseChatRequest({ messages: [{ role: 'user', content: 'x' }], stream: 'yes' })).toMatchObject({
      ok: false,
      param: 'stream',
    });
    expect(
      parseChatRequest({ messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }),
    ).toMatchObject({
      ok: false,
      param: 'temperature',
    });
  });

  it('treats null optional fields and a blank model as absent', () => {
    const result = parseChatRequest({
      model: ' ',
      messages: [{ role: 'user', content: 'x', name: null, tool_calls: null }],
      stream: null,
      stream_options: null,
      temperature: null,
    });
    expect(result).toMatchObject({
      ok: true,
      request: { model: undefined, stream: false, options: {}, history: [] },
    });
  });
});
