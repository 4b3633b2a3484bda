import type { Insights, UsageGroup } from '../turn-log.js';

/** A `turns` row as /insights reads it (both engines store the same columns). */
export interface TurnRow {
  platform: string;
  model: string | null;
  started_at: number;
  duration_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** JSON array of tool names. */
  tools: string;
  error: string | null;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

function group(rows: readonly TurnRow[], keyOf: (r: TurnRow) => string): UsageGroup[] {
  const groups = new Map<string, TurnRow[]>();
  for (const r of rows) {
    const key = keyOf(r);
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups].map(([key, rs]) => ({
    key,
    turns: rs.length,
    tokens: rs.reduce((n, r) => n + r.prompt_tokens + r.completion_tokens, 0),
    errors: rs.filter((r) => r.error !== null).length,
    medianMs: median(rs.map((r) => r.duration_ms)),
  }));
}

/**
 * /insights from the turn rows, oldest first. The same arithmetic as the SQLite `TurnLog.insights` (groups in
 * order of first appearance, medians rounded), so both engines print the same report; the SQLite store keeps
 * its own private copy today and could use this one.
 */
export function insightsFrom(rows: readonly TurnRow[]): Insights {
  const calls = new Map<string, number>();
  for (const r of rows)
    for (const tool of JSON.parse(r.tools) as string[]) calls.set(tool, (calls.get(tool) ?? 0) + 1);
  return {
    turns: rows.length,
    tokens: rows.reduce((n, r) => n + r.prompt_tokens + r.completion_tokens, 0),
    errors: rows.filter((r) => r.error !== null).length,
    medianMs: median(rows.map((r) => r.duration_ms)),
    byDay: group(rows, (r) => new Date(r.started_at).toISOString().slice(0, 10)),
    byPlatform: group(rows, (r) => r.platform),
    byModel: group(rows, (r) => r.model ?? '(default)'),
    byTool: [...calls].map(([tool, n]) => ({ tool, calls: n })).sort((a, b) => b.calls - a.calls),
  };
}
