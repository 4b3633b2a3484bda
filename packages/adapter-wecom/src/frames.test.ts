import { describe, expect, it } from 'vitest';
import { encodeWecomFrame, parseWecomFrame, wecomReqId } from './frames.js';

const callback = (body: Record<string, unknown>, cmd = 'aibot_msg_callback') =>
  JSON.stringify({ cmd, headers: { req_id: 'req-1' }, body });

describe('parseWecomFrame', () => {
  it('reads a message callback and its legacy name', () => {
    const body = {
      msgid: 'm1',
      chattype: 'single',
      from: { userid: 'alice' },
      msgtype: 'text',
      text: { content: 'hi' },
    };
    for (const cmd of ['aibot_msg_callback', 'aibot_callback']) {
      const parsed = parseWecomFrame(callback(body, cmd));
      expect(parsed).toMatchObject({
        ok: true,
        frame: { kind: 'callback', cmd, reqId: 'req-1', body: { msgid: 'm1' } },
      });
    }
  });

  it('infers chattype group from a chatid when WeCom leaves it out', () => {
    const parsed = parseWecomFrame(
      callback({ msgid: 'm', chatid: 'g1', from: { userid: 'a' }, msgtype: 'text' }),
    );
    expect(parsed.ok && parsed.frame.kind === 'callback' && parsed.frame.body.chattype).toBe('group');
  });

  it('classifies events, answers with top-level or body errcode, and pongs', () => {
    expect(
      parseWecomFrame(
        JSON.stringify({
          cmd: 'aibot_event_callback',
          headers: { req_id: 'e' },
          body: { eventtype: 'enter_chat' },
        }),
      ),
    ).toMatchObject({ ok: true, frame: { kind: 'event', eventType: 'enter_chat' } });
    expect(
      parseWecomFrame(JSON.stringify({ headers: { req_id: 's' }, errcode: 40013, errmsg: 'invalid secret' })),
    ).toMatchObject({
      ok: true,
      frame: { kind: 'response', reqId: 's', errcode: 40013, errmsg: 'invalid secret' },
    });
    expect(
      parseWecomFrame(
        JSON.stringify({ headers: { req_id: 's' }, body: { errcode: 846609, errmsg: 'not subscribed' } }),
      ),
    ).toMatchObject({ ok: true, frame: { kind: 'response', errcode: 846609, errmsg: 'not subscribed' } });
    expect(parseWecomFrame(JSON.stringify({ cmd: 'pong', headers: { req_id: 'p' } }))).toMatchObject({
      ok: true,
      frame: { kind: 'response', cmd: 'pong', errcode: 0 },
    });
  });

  it('names the problem of malformed frames instead of throwing', () => {
    const cases: Array<[string, string]> = [
      ['{not json', 'not JSON'],
      ['[1,2]', 'not a JSON object'],
      [callback({ msgid: 'm', msgtype: 'text' }), 'from.userid'],
      [callback({ msgid: 'm', from: { userid: 'a' } }), 'msgtype'],
      [
        JSON.stringify({ cmd: 'aibot_msg_callback', body: { from: { userid: 'a' }, msgtype: 'text' } }),
        'req_id',
      ],
      [JSON.stringify({ cmd: 'aibot_msg_callback', headers: { req_id: 'r' }, body: 'x' }), 'body object'],
      [JSON.stringify({ errcode: 0 }), 'req_id'],
      [JSON.stringify({ headers: { req_id: 'r' }, errcode: 'abc' }), 'errcode'],
    ];
    for (const [raw, problem] of cases) {
      const parsed = parseWecomFrame(raw);
      expect(parsed.ok, raw).toBe(false);
      if (!parsed.ok) expect(parsed.problem).toContain(problem);
    }
  });

  it('reports an unknown cmd as such', () => {
    expect(parseWecomFrame(JSON.stringify({ cmd: 'aibot_new_thing', headers: { req_id: 'x' } }))).toEqual({
      ok: true,
      frame: { kind: 'unknown', cmd: 'aibot_new_thing', reqId: 'x' },
    });
  });
});

describe('frame building', () => {
  it('prefixes req_ids with the command and a uuid4 hex', () => {
    expect(wecomReqId('aibot_send_msg')).toMatch(/^aibot_send_msg-[0-9a-f]{32}$/);
    expect(wecomReqId('ping')).not.toBe(wecomReqId('ping'));
  });

  it('encodes cmd, headers.req_id and body', () => {
    expect(JSON.parse(encodeWecomFrame('ping', 'ping-1'))).toEqual({
      cmd: 'ping',
      headers: { req_id: 'ping-1' },
    });
    expect(JSON.parse(encodeWecomFrame('aibot_send_msg', 'r', { chatid: 'c' }))).toEqual({
      cmd: 'aibot_send_msg',
      headers: { req_id: 'r' },
      body: { chatid: 'c' },
    });
  });
});
