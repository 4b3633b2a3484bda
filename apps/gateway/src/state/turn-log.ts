import { type Db, type Sql, statementCache } from './db.js';

/** One finished agent turn, as /insights counts it. */
export interface TurnRecord {
  sessionId: string;
  platform: string;
  model: string | undefined;
  startedAt: number;
  durationMs: number;
  promptTokens: number;
  completionTokens: number;
  /** Tool names in call order (repeats kept). */
  tools: readonly string[];
  /** The agent's error code when the turn failed. */
  error: string | undefined;
  interrupted: boolean;
}

export interface UsageGroup {
  key: string;
  turns: number;
  tokens: number;
  errors: number;
  /** Median turn duration in ms. */
  medianMs: number;
}

export interface Insights {
  turns: number;
  tokens: number;
  errors: number;
  medianMs: number;
  byDay: UsageGroup[];
  byPlatform: UsageGroup[];
  byModel: UsageGroup[];
  /** Calls per tool, most used first. */
  byTool: Array<{ tool: string; calls: number }>;
}

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

/**
 * A turn as the `turns` columns take it, in the order session_id, platform, model, started_at, duration_ms,
 * prompt_tokens, completion_tokens, tools, error, interrupted.
 */
export function turnValues(
  t: TurnRecord,
): [string, string, string | null, number, number, number, number, string, string | null, number] {
  return [
    t.sessionId,
    t.platform,
    t.model ?? null,
    t.startedAt,
    Math.max(0, Math.round(t.durationMs)),
    t.promptTokens,
    t.completionTokens,
    JSON.stringify(t.tools),
    t.error ?? null,
    t.interrupted ? 1 : 0,
  ];
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** Groups in order of first appearance, so both engines print the same report. */
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

/** /insights from the turn rows, oldest first (equal start times in insertion order). */
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

/** Every agent turn, appended once when it ends; read by /insights. */
export class TurnLog {
  private readonly sql: Sql;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  record(t: TurnRecord): void {
    this.sql(
      `INSERT INTO turns (session_id, platform, model, started_at, duration_ms, prompt_tokens, completion_tokens, tools, error, interrupted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(...turnValues(t));
  }

  insights(sinceMs: number): Insights {
    const rows = this.sql(
      'SELECT platform, model, started_at, duration_ms, prompt_tokens, completion_tokens, tools, error FROM turns WHERE started_at >= ? ORDER BY started_at',
    ).all(sinceMs) as TurnRow[];
    return insightsFrom(rows);
  }
}
