import { describe, expect, it } from 'vitest';
import { SlackThreadParticipation } from './participation.js';

describe('SlackThreadParticipation', () => {
  it('remembers up to the limit, forgetting the least recently active thread', () => {
    const t = new SlackThreadParticipation(2);
    t.mark('C1', '1.1', 1);
    t.mark('C1', '1.2', 2);
    t.mark('C1', '1.1', 3); // touched again: now the most recent
    t.mark('C1', '1.3', 4);
    expect(t.has('C1', '1.1')).toBe(true);
    expect(t.has('C1', '1.2')).toBe(false);
    expect(t.has('C1', '1.3')).toBe(true);
    expect(t.has('C2', '1.3')).toBe(false);
    expect(t.size).toBe(2);
  });

  it('export/import round-trips and keeps only the newest within the limit', () => {
    const a = new SlackThreadParticipation(3);
    a.mark('C1', '1.1', 10);
    a.mark('C1', '1.2', 20);
    const b = new SlackThreadParticipation(2);
    b.mark('C9', '9.9', 15);
    b.import([...a.export(), ['bad' as unknown as string, Number.NaN]]);
    expect(b.export()).toEqual([
      ['C9:9.9', 15],
      ['C1:1.2', 20],
    ]);
  });

  it('rejects a limit below one', () => {
    expect(() => new SlackThreadParticipation(0)).toThrow(RangeError);
  });
});
