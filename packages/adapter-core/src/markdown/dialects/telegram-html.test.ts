import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../render.js';

const tg = (md: string) => renderMarkdown(md, 'telegram-html');

describe('telegram-html renderer', () => {
  it('escapes only & < > in text', () => {
    expect(tg('a < b & c > d "q" \'s\'')).toBe('a &lt; b &amp; c &gt; d "q" \'s\'');
  });

  it('decodes character references before escaping them once', () => {
    expect(tg('fish &amp; chips &lt;3 &#169;')).toBe('fish &amp; chips &lt;3 ©');
  });

  it('renders nested emphasis with Telegram tags', () => {
    expect(tg('**bold *italic* ~~gone~~ end**')).toBe('<b>bold <i>italic</i> <s>gone</s> end</b>');
  });

  it('escapes & and quotes inside a link href', () => {
    expect(tg('[docs](https://ex.io/?a=1&b=2)')).toBe('<a href="https://ex.io/?a=1&amp;b=2">docs</a>');
    expect(tg('<https://ex.io/q?x="y">')).toContain('href="https://ex.io/q?x=&quot;y&quot;"');
  });

  it('keeps links with schemes Telegram rejects as text', () => {
    expect(tg('[click](javascript:alert(1))')).toBe('click (javascript:alert(1))');
    expect(tg('[rel](./page.html)')).toBe('rel (./page.html)');
  });

  it('renders code blocks with their language and escapes < inside', () => {
    expect(tg('```ts\nif (a < b && c) {}\n```')).toBe(
      '<pre><code class="language-ts">if (a &lt; b &amp;&amp; c) {}</code></pre>',
    );
    expect(tg('```\n<div>\n```')).toBe('<pre>&lt;div&gt;</pre>');
    expect(tg('    indented <x>')).toBe('<pre>indented &lt;x&gt;</pre>');
  });

  it('never puts code inside another entity', () => {
    expect(tg('**use `a<b` here**')).toBe('<b>use </b><code>a&lt;b</code><b> here</b>');
    expect(tg('**`only`**')).toBe('<code>only</code>');
    expect(tg('[`code` link](https://ex.io)')).toBe('<a href="https://ex.io">code link</a>');
  });

  it('renders headings bold, lists and rules as text', () => {
    expect(tg('# Title <1>')).toBe('<b>Title &lt;1&gt;</b>');
    expect(tg('## A **bold** `code` title')).toBe('<b>A bold </b><code>code</code><b> title</b>');
    expect(tg('- one\n- two\n  - nested')).toBe('• one\n• two\n  • nested');
    expect(tg('3. c\n4. d')).toBe('3. c\n4. d');
    expect(tg('- [x] done\n- [ ] todo')).toBe('• ☑ done\n• ☐ todo');
    expect(tg('a\n\n---\n\nb')).toBe('a\n\n———\n\nb');
  });

  it('flattens nested quotes, which Telegram cannot nest', () => {
    expect(tg('> outer\n>\n> > inner')).toBe('<blockquote>outer\n\ninner</blockquote>');
  });

  it('escapes raw HTML instead of passing it to Telegram', () => {
    expect(tg('<script>x</script>\n\ntext <span>y</span>')).toBe(
      '&lt;script&gt;x&lt;/script&gt;\n\ntext &lt;span&gt;y&lt;/span&gt;',
    );
  });

  it('keeps line breaks and renders tables as lines', () => {
    expect(tg('line one\nline two')).toBe('line one\nline two');
    expect(tg('| a | b |\n|---|---|\n| 1 | 2 |')).toBe('<b>a</b> | <b>b</b>\n1 | 2');
  });
});
