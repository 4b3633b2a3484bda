import { expect, it } from 'vitest';
import { flattenToolResult } from './flatten-result.js';

it('joins text blocks and describes images and resources instead of dumping them', () => {
  const png = Buffer.alloc(300).toString('base64');
  const r = flattenToolResult({
    content: [
      { type: 'text', text: 'first' },
      { type: 'image', data: png, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'hello' } },
      { type: 'resource_link', uri: 'file:///b', name: 'b' },
      { type: 'text', text: 'last' },
    ],
  });
  expect(r.ok).toBe(true);
  expect(r.output.split('\n')).toEqual([
    'first',
    '[image: image/png, 300 bytes, not shown]',
    '[resource file:///a.txt (text/plain): 5 characters of text, not shown]',
    '[resource link: b file:///b]',
    'last',
  ]);
  expect(r.output).not.toContain(png);
});

it('marks isError results as failed and falls back to structured content', () => {
  expect(flattenToolResult({ isError: true, content: [{ type: 'text', text: 'nope' }] })).toEqual({
    ok: false,
    output: 'nope',
  });
  expect(flattenToolResult({ content: [], structuredContent: { sum: 3 } })).toEqual({
    ok: true,
    output: '{"sum":3}',
  });
  expect(flattenToolResult({ content: [] }).output).toBe('(the tool returned no output)');
});
