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

interface Row {
  platform: string;
  model: string | null;
  started_at: number;
  duration_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  tools: string;
  error: string | null;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

function group(rows: Row[], keyOf: (r: Row) => string): UsageGroup[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = keyOf(r);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([key, rs]) => ({
    key,
    turns: rs.length,
    tokens: rs.reduce((n, r) => n + r.prompt_tokens + r.completion_tokens, 0),
    errors: rs.filter((r) => r.error !== null).length,
    medianMs: median(rs.map((r) => r.duration_ms)),
  }));
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
    ).run(
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
    );
  }

  insights(sinceMs: number): Insights {
    const rows = this.sql(
      'SELECT platform, model, started_at, duration_ms, prompt_tokens, completion_tokens, tools, error FROM turns WHERE started_at >= ? ORDER BY started_at',
    ).all(sinceMs) as Row[];
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
}
