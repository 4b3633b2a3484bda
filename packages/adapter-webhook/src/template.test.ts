import { describe, expect, it } from 'vitest';
import { defaultPromptTemplate, lookupPath, renderPrompt, truncate } from './template.js';

const limits = { rawMaxChars: 4000, nestedMaxChars: 2000 };

describe('renderPrompt', () => {
  const payload = {
    action: 'opened',
    pull_request: { title: 'Add tests', number: 7, draft: false, merged_at: null, labels: [{ name: 'ci' }] },
    'weird-key': 'dash',
  };

  it('fills dot-path placeholders through objects and arrays', () => {
    expect(
      renderPrompt(
        '{action}: #{pull_request.number} {pull_request.title} [{pull_request.labels.0.name}] {weird-key}',
        payload,
        limits,
      ),
    ).toBe('opened: #7 Add tests [ci] dash');
  });

  it('renders booleans, numbers and null as text, objects as JSON', () => {
    expect(renderPrompt('{pull_request.draft} {pull_request.merged_at}', payload, limits)).toBe('false null');
    expect(renderPrompt('{pull_request.labels}', payload, limits)).toBe(
      JSON.stringify([{ name: 'ci' }], null, 2),
    );
  });

  it('leaves unknown placeholders and ordinary braces alone', () => {
    expect(renderPrompt('{pull_request.nope} {missing} { not a placeholder } {}', payload, limits)).toBe(
      '{pull_request.nope} {missing} { not a placeholder } {}',
    );
    expect(renderPrompt('{action.length}', payload, limits)).toBe('{action.length}');
    expect(renderPrompt('{toString}', payload, limits)).toBe('{toString}');
  });

  it('{__raw__} is the whole payload, cut to rawMaxChars', () => {
    expect(renderPrompt('{__raw__}', { a: 1 }, limits)).toBe('{\n  "a": 1\n}');
    const big = { blob: 'x'.repeat(10_000) };
    const out = renderPrompt('{__raw__}', big, limits);
    expect(out.startsWith('{\n  "blob": "xxx')).toBe(true);
    expect(out).toMatch(/…\[truncated, \d+ more characters\]$/);
    expect(out.length).toBeLessThan(4100);
  });

  it('cuts nested objects to nestedMaxChars', () => {
    const out = renderPrompt('{data}', { data: { list: Array.from({ length: 2000 }, (_, i) => i) } }, limits);
    expect(out.length).toBeLessThan(2100);
    expect(out).toContain('truncated');
  });

  it('has a default template naming the route and event', () => {
    const template = defaultPromptTemplate('alerts', 'push');
    expect(renderPrompt(template, { a: 1 }, limits)).toBe(
      'A webhook arrived on route "alerts" (event: push).\n\nPayload:\n{\n  "a": 1\n}',
    );
  });
});

describe('truncate and lookupPath', () => {
  it('never cuts a surrogate pair in half', () => {
    const text = `${'a'.repeat(9)}😀tail`;
    const out = truncate(text, 10);
    expect(out.startsWith('a'.repeat(9))).toBe(true);
    expect(out.charCodeAt(9)).not.toBe(0xd83d);
  });

  it('only follows own properties and numeric array indexes', () => {
    expect(lookupPath({ a: [{ b: 1 }] }, 'a.0.b')).toBe(1);
    expect(lookupPath({ a: [1] }, 'a.x')).toBeUndefined();
    expect(lookupPath({}, '__proto__')).toBeUndefined();
    expect(lookupPath('text', 'length')).toBeUndefined();
  });
});
