import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../render.js';

const mx = (md: string) => renderMarkdown(md, 'matrix-html');

describe('matrix-html renderer', () => {
  it('escapes & < > in text and renders paragraphs', () => {
    expect(mx('a<b & c>d')).toBe('<p>a&lt;b &amp; c&gt;d</p>');
    expect(mx('one\n\ntwo')).toBe('<p>one</p>\n<p>two</p>');
  });

  it('turns a typed newline into <br>', () => {
    expect(mx('line one\nline two')).toBe('<p>line one<br>line two</p>');
  });

  it('renders nested emphasis, code and links', () => {
    expect(mx('**b *i* ~~s~~** `x<y`')).toBe(
      '<p><strong>b <em>i</em> <del>s</del></strong> <code>x&lt;y</code></p>',
    );
    expect(mx('[docs](https://ex.io/?a=1&b=2 "t")')).toBe(
      '<p><a href="https://ex.io/?a=1&amp;b=2">docs</a></p>',
    );
    expect(mx('[x](javascript:alert(1))')).toBe('<p>x (javascript:alert(1))</p>');
  });

  it('renders headings, lists with start, quotes, rules and tables', () => {
    expect(mx('## Title')).toBe('<h2>Title</h2>');
    expect(mx('- a\n- b')).toBe('<ul>\n<li>a</li>\n<li>b</li>\n</ul>');
    expect(mx('3. c\n4. d')).toBe('<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>');
    expect(mx('> quoted')).toBe('<blockquote>\n<p>quoted</p>\n</blockquote>');
    expect(mx('---')).toBe('<hr>');
    expect(mx('| a | b |\n|---|---|\n| 1 | 2 |')).toBe(
      '<table>\n<thead>\n<tr><th>a</th><th>b</th></tr>\n</thead>\n<tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody>\n</table>',
    );
  });

  it('renders code blocks with a language class and escapes < inside', () => {
    expect(mx('```python\nif a < b:\n    pass\n```')).toBe(
      '<pre><code class="language-python">if a &lt; b:\n    pass</code></pre>',
    );
  });

  it('shows mxc images inline and other images as links', () => {
    expect(mx('![cat](mxc://srv/abc)')).toBe('<p><img src="mxc://srv/abc" alt="cat"></p>');
    expect(mx('![cat](https://ex.io/c.png)')).toBe('<p><a href="https://ex.io/c.png">cat</a></p>');
  });

  it('escapes raw HTML', () => {
    expect(mx('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  });
});
