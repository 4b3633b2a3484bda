import { describe, expect, it } from 'vitest';
import { checkDingtalkWebhookUrl, DingtalkSessionWebhooks } from './session-webhooks.js';

const REAL = 'https://api.dingtalk.com';
const MIN = 60_000;

describe('session webhook host check', () => {
  it.each([
    ['https://oapi.dingtalk.com/robot/sendBySession?session=a', REAL, true],
    ['https://api.dingtalk.com/robot/sendBySession?session=a', REAL, true],
    ['http://oapi.dingtalk.com/robot/sendBySession?session=a', REAL, false],
    ['https://oapi.dingtalk.com.evil.io/robot/sendBySession', REAL, false],
    ['https://evil.io/https://oapi.dingtalk.com/', REAL, false],
    ['http://127.0.0.1:8080/robot/sendBySession?session=a', REAL, false],
    ['http://127.0.0.1:8080/robot/sendBySession?session=a', 'http://127.0.0.1:8080', true],
    ['http://127.0.0.1:8081/robot/sendBySession?session=a', 'http://127.0.0.1:8080', false],
    ['https://oapi.dingtalk.com/robot/sendBySession?session=a', 'http://127.0.0.1:8080', true],
  ])('%s with API base %s → %s', (url, base, ok) => {
    expect(checkDingtalkWebhookUrl(url, base).ok).toBe(ok);
  });
});

describe('session webhook cache', () => {
  it('uses a webhook until 5 minutes before it expires, then forgets it', () => {
    let now = 1_000_000;
    const cache = new DingtalkSessionWebhooks({ apiBase: REAL, now: () => now });
    const url = 'https://oapi.dingtalk.com/robot/sendBySession?session=s1';
    expect(cache.remember('cidA', url, now + 20 * MIN).ok).toBe(true);
    now += 14 * MIN;
    expect(cache.get('cidA')).toBe(url);
    now += 1 * MIN + 1;
    expect(cache.get('cidA')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses one that is already inside the safety margin, and one on a foreign host', () => {
    const cache = new DingtalkSessionWebhooks({ apiBase: REAL, now: () => 0 });
    expect(cache.remember('cidA', 'https://oapi.dingtalk.com/x', 4 * MIN)).toEqual({
      ok: false,
      reason: 'expires within the safety margin',
    });
    expect(cache.remember('cidA', 'https://evil.io/x', 60 * MIN).ok).toBe(false);
    expect(cache.get('cidA')).toBeUndefined();
  });

  it('keeps at most 500 chats, dropping the oldest', () => {
    const cache = new DingtalkSessionWebhooks({ apiBase: REAL, now: () => 0 });
    for (let i = 0; i < 501; i++) cache.remember(`cid${i}`, `https://oapi.dingtalk.com/${i}`, 60 * MIN);
    expect(cache.size).toBe(500);
    expect(cache.get('cid0')).toBeUndefined();
    expect(cache.get('cid500')).toBe('https://oapi.dingtalk.com/500');
  });

  it('forget() leaves a newer webhook of the chat alone', () => {
    const cache = new DingtalkSessionWebhooks({ apiBase: REAL, now: () => 0 });
    cache.remember('cidA', 'https://oapi.dingtalk.com/old', 60 * MIN);
    cache.remember('cidA', 'https://oapi.dingtalk.com/new', 60 * MIN);
    cache.forget('cidA', 'https://oapi.dingtalk.com/old');
    expect(cache.get('cidA')).toBe('https://oapi.dingtalk.com/new');
  });
});
