import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../render.js';

const slack = (md: string) => renderMarkdown(md, 'slack-mrkdwn');

describe('slack-mrkdwn renderer', () => {
  it('escapes & < > and nothing else', () => {
    expect(slack('a<b & c>d "q"')).toBe('a&lt;b &amp; c&gt;d "q"');
  });

  it('maps emphasis to Slack markers, nested included', () => {
    expect(slack('**bold** *it* ~~gone~~')).toBe('*bold* _it_ ~gone~');
    expect(slack('**bold *and it***')).toBe('*bold _and it_*');
  });

  it('writes links as <url|label> with & escaped in the URL', () => {
    expect(slack('[the docs](https://ex.io/?a=1&b=2)')).toBe('<https://ex.io/?a=1&amp;b=2|the docs>');
    expect(slack('<https://ex.io>')).toBe('<https://ex.io>');
    expect(slack('[**bold** label](https://ex.io)')).toBe('<https://ex.io|bold label>');
    expect(slack('[x](https://ex.io/a|b)')).toBe('<https://ex.io/a%7Cb|x>');
  });

  it('renders code without languages and escapes inside it', () => {
    expect(slack('```js\nif (a < b) {}\n```')).toBe('```\nif (a &lt; b) {}\n```');
    expect(slack('run `a && b`')).toBe('run `a &amp;&amp; b`');
  });

  it('renders headings bold without doubling nested bold', () => {
    expect(slack('## Step **one** now')).toBe('*Step one now*');
  });

  it('renders quotes, lists and rules', () => {
    expect(slack('> a\n> b')).toBe('> a\n> b');
    expect(slack('- a\n- b')).toBe('• a\n• b');
    expect(slack('2. b\n3. c')).toBe('2. b\n3. c');
    expect(slack('x\n\n***\n\ny')).toBe('x\n\n———\n\ny');
  });
});
