import type { Insights, UsageGroup } from '../state/turn-log.js';
import type { CommandSpec } from './registry.js';

const DAY_MS = 86_400_000;
const MAX_DAYS = 365;

const seconds = (ms: number) => (ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);
const tokens = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n));

/** A fixed-width table in a code block: chat apps keep the columns aligned there. */
function table(title: string, groups: UsageGroup[]): string[] {
  if (groups.length === 0) return [];
  const width = Math.max(title.length, ...groups.map((g) => g.key.length));
  const head = `${title.padEnd(width)}  turns  tokens  errors  median`;
  const rows = groups.map(
    (g) =>
      `${g.key.padEnd(width)}  ${String(g.turns).padStart(5)}  ${tokens(g.tokens).padStart(6)}  ${String(g.errors).padStart(6)}  ${seconds(g.medianMs).padStart(6)}`,
  );
  return ['```', head, ...rows, '```'];
}

export function formatInsights(i: Insights, days: number): string {
  if (i.turns === 0) return `📊 No agent turns in the last ${days} day(s).`;
  const lines = [
    `📊 **Insights, last ${days} day(s):** ${i.turns} turn(s), ${tokens(i.tokens)} tokens, ${i.errors} error(s), median turn ${seconds(i.medianMs)}`,
    ...table('day', i.byDay),
    ...table('platform', i.byPlatform),
    ...table('model', i.byModel),
  ];
  if (i.byTool.length > 0)
    lines.push(
      `**Tools:** ${i.byTool
        .slice(0, 12)
        .map((t) => `${t.tool} ×${t.calls}`)
        .join(', ')}`,
    );
  return lines.join('\n');
}

/** `/insights [days]`: usage by day, platform, model and tool from state.db (default 7 days). */
export const insightsCommand: CommandSpec = {
  name: 'insights',
  summary: 'usage by day, platform, model and tool (`/insights [days]`, default 7)',
  // Spec 4.1 names the commands that run mid-turn; this is not one of them.
  bypass: false,
  async handle(ctx, args) {
    const raw = args.trim();
    const days = raw === '' ? 7 : Number(raw);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)
      return {
        kind: 'reply',
        text: `Usage: /insights [days], with days a whole number from 1 to ${MAX_DAYS}.`,
      };
    return {
      kind: 'reply',
      text: formatInsights(await ctx.turns.insights(Date.now() - days * DAY_MS), days),
    };
  },
};
