import { describe, expect, it } from 'vitest';
import { componentProblem } from '../testing/fake-components.js';
import { discordActionRows } from './components.js';
import { settledContent } from './sender.js';

describe('discordActionRows', () => {
  it('maps styles, cuts long labels and passes the fake’s Discord validation', () => {
    const rows = discordActionRows([
      { id: 'a', label: 'A', style: 'primary' },
      { id: 'b', label: 'x'.repeat(120), style: 'danger' },
      { id: 'c', label: '   ' },
    ]);
    const buttons = rows[0]!.components;
    expect(buttons.map((b) => b.style)).toEqual([1, 4, 2]);
    expect([...buttons[1]!.label].length).toBe(80);
    expect(buttons[1]!.label.endsWith('…')).toBe(true);
    expect(buttons[2]!.label).toBe('…');
    expect(componentProblem(rows)).toBeUndefined();
  });

  it('refuses more than 25 buttons and an empty id, naming the limit', () => {
    const many = Array.from({ length: 26 }, (_, i) => ({ id: `i${i}`, label: 'x' }));
    expect(() => discordActionRows(many)).toThrow(/at most 25/);
    expect(() => discordActionRows([{ id: '', label: 'x' }])).toThrow(/custom_id takes 1 to 100/);
  });
});

describe('settledContent', () => {
  it('appends the outcome under the text', () => {
    expect(settledContent('Deploy?', '✅ Approved', 2000)).toBe('Deploy?\n\n✅ Approved');
    expect(settledContent('', '✅ Approved', 2000)).toBe('✅ Approved');
  });

  it('cuts the old text, never the outcome, to stay within the limit', () => {
    const out = settledContent('y'.repeat(2000), '❌ Denied by Ada', 2000);
    expect([...out].length).toBeLessThanOrEqual(2000);
    expect(out.endsWith('…\n\n❌ Denied by Ada')).toBe(true);
  });
});
