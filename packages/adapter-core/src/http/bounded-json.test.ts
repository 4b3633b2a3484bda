import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, parseJsonBounded } from './bounded-json.js';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('parseJsonBounded', () => {
  it('parses ordinary JSON', () => {
    expect(parseJsonBounded('{"a":[1,{"b":"c"}]}')).toEqual({ ok: true, value: { a: [1, { b: 'c' }] } });
  });

  it('allows exactly the maximum depth and refuses one level more, before parsing', () => {
    expect(parseJsonBounded(nested(64)).ok).toBe(true);
    expect(parseJsonBounded(nested(65))).toMatchObject({ ok: false, code: 'too_deep' });
    const deep = parseJsonBounded(`{"a":${nested(100_000)}}`);
    expect(deep).toMatchObject({ ok: false, code: 'too_deep' });
    if (!deep.ok) expect(deep.message).toContain('64');
  });

  it('does not count brackets inside strings, including after escaped quotes', () => {
    const text = JSON.stringify({ s: `${'['.repeat(200)}\\"{{{`, t: '\\' });
    expect(jsonDepthExceeds(text, 2)).toBe(false);
    expect(parseJsonBounded(text, 2).ok).toBe(true);
  });

  it('reports invalid JSON without quoting the input', () => {
    const secretish = 'password=hunter2 { not json';
    const result = parseJsonBounded(secretish);
    expect(result).toMatchObject({ ok: false, code: 'invalid_json' });
    if (!result.ok) expect(result.message).not.toContain('hunter2');
  });
});
