import { describe, expect, it } from 'vitest';
import { checkDispatch, isWellFormedMessageCreate, messageCreateSchema } from './dispatch-guard.js';

const base: Record<string, unknown> = {
  id: '1300000000000000001',
  channel_id: '1300000000000000002',
  author: { id: '1300000000000000003', username: 'alice', bot: false },
  content: 'hi',
  timestamp: '2026-01-01T00:00:00.000Z',
  attachments: [{ id: '1300000000000000004', filename: 'a.png', url: 'http://127.0.0.1:9/a.png', size: 3 }],
  mentions: [{ id: '1300000000000000005', username: 'bob' }],
  mention_roles: ['1300000000000000006'],
  guild_id: '1300000000000000007',
};

/** Values a field is swapped for: right and wrong types, bad ids, holes. */
const VARIANTS: unknown[] = [
  undefined,
  null,
  0,
  12,
  true,
  '',
  'abc',
  '123',
  '1'.repeat(20),
  '1'.repeat(21),
  ' 123',
  '123\n',
  [],
  {},
  ['1300000000000000006'],
  ['x'],
  [12],
  [null],
  [{}],
  [{ id: '1' }],
  [{ id: 1 }],
  [{ id: '1', filename: 'f', url: 'u' }],
  [{ id: '1', filename: 3, url: 'u' }],
  // biome-ignore lint/suspicious/noSparseArray: a hole is one of the shapes a broken payload can take
  [, { id: '1' }],
  { id: '1300000000000000003', username: 'carol' },
  { id: '1300000000000000003' },
  { id: 'x', username: 'carol' },
  { id: '1300000000000000003', username: 7 },
];

function variantsOf(payload: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const key of Object.keys(payload)) {
    for (const value of VARIANTS) {
      const copy: Record<string, unknown> = { ...payload, [key]: value };
      if (value === undefined) delete copy[key];
      out.push(copy);
    }
  }
  return out;
}

describe('isWellFormedMessageCreate (the hand-written MESSAGE_CREATE check)', () => {
  it('agrees with the schema on every variant of every field', () => {
    const minimal = { id: base['id'], channel_id: base['channel_id'], author: base['author'], timestamp: '' };
    const cases = [base, minimal, ...variantsOf(base), ...variantsOf(minimal), null, [], 'x', 3];
    let accepted = 0;
    for (const d of cases) {
      const fast = isWellFormedMessageCreate(d);
      const schema = messageCreateSchema.safeParse(d).success;
      expect({ d, fast }).toEqual({ d, fast: schema });
      if (fast) accepted += 1;
    }
    // Both sides of the check were exercised.
    expect(accepted).toBeGreaterThan(20);
    expect(accepted).toBeLessThan(cases.length - 20);
  });

  it('leaves the verdict on malformed payloads to the schema, with its message', () => {
    const problem = checkDispatch({ t: 'MESSAGE_CREATE', d: { ...base, channel_id: 'general' } });
    expect(problem).toEqual({
      ok: false,
      problem: 'MESSAGE_CREATE is malformed (channel_id: must be a snowflake id (digits))',
    });
  });
});
