import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { formatInsights } from '../commands/insights-command.js';
import { openStateDb } from './db.js';
import { turnRecord } from './storage-contract.js';
import { TurnLog, type TurnRecord } from './turn-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function log(): TurnLog {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-turns-'));
  dirs.push(dir);
  return new TurnLog(openStateDb(join(dir, 'state.db')));
}

const day = Date.UTC(2026, 11, 1, 12);
const turn = (o: Partial<TurnRecord>): TurnRecord => turnRecord({ startedAt: day, ...o });

it('groups turns by day, platform and model with tokens, errors and the median duration; counts tools', () => {
  const turns = log();
  turns.record(turn({ durationMs: 1000, tools: ['terminal', 'terminal'] }));
  turns.record(turn({ durationMs: 3000, platform: 'slack', error: 'rate_limited', tools: ['send_message'] }));
  turns.record(turn({ durationMs: 2000, startedAt: day + 86_400_000, model: 'm2' }));
  turns.record(turn({ startedAt: day - 30 * 86_400_000 }));
  const i = turns.insights(day - 86_400_000);
  expect(i).toMatchObject({ turns: 3, tokens: 360, errors: 1, medianMs: 2000 });
  expect(i.byDay.map((g) => [g.key, g.turns, g.medianMs])).toEqual([
    ['2026-12-01', 2, 2000],
    ['2026-12-02', 1, 2000],
  ]);
  expect(i.byPlatform.map((g) => [g.key, g.turns, g.errors])).toEqual([
    ['telegram', 2, 0],
    ['slack', 1, 1],
  ]);
  expect(i.byModel.map((g) => g.key)).toEqual(['m1', 'm2']);
  expect(i.byTool).toEqual([
    { tool: 'terminal', calls: 2 },
    { tool: 'send_message', calls: 1 },
  ]);
  const text = formatInsights(i, 7);
  expect(text).toContain('3 turn(s), 360 tokens, 1 error(s), median turn 2.0 s');
  expect(text).toContain('terminal ×2, send_message ×1');
  expect(text).toMatch(
    /```\nplatform\s+turns\s+tokens\s+errors\s+median\ntelegram\s+2\s+240\s+0\s+1\.5 s\nslack\s+1\s+120\s+1\s+3\.0 s\n```/,
  );
});

it('says so when there were no turns', () => {
  expect(formatInsights(log().insights(0), 3)).toBe('📊 No agent turns in the last 3 day(s).');
});
