import type { CommandContext } from './context.js';
import type { CommandOutcome, CommandSpec } from './registry.js';

const USAGE = 'Usage: /platform list | /platform pause <name> | /platform resume <name>';

export function describeAge(at: number | undefined, now: number): string {
  if (at === undefined) return 'never';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function list(ctx: CommandContext): CommandOutcome {
  const now = Date.now();
  const lines = ctx
    .platforms()
    .map(
      (p) =>
        `• **${p.platform}**: ${p.status}${p.detail ? ` (${p.detail})` : ''} — last message in ${describeAge(p.lastInboundAt, now)}, last send ${describeAge(p.lastSendAt, now)}`,
    );
  return { kind: 'reply', text: lines.join('\n') || 'No platforms.' };
}

/** `/platform list|pause|resume <name>`: list is for everyone allowed in; pause and resume are admin only. */
export const platformCommand: CommandSpec = {
  name: 'platform',
  summary: 'list platforms; pause or resume one (admin)',
  bypass: true,
  async handle(ctx, args) {
    const [action = 'list', name] = args.split(/\s+/).filter(Boolean);
    if (action === 'list') return list(ctx);
    if ((action !== 'pause' && action !== 'resume') || !name) return { kind: 'reply', text: USAGE };
    if (!ctx.isAdmin())
      return {
        kind: 'reply',
        text: '⛔ Only an admin may pause or resume platforms (gateway.allow_admin_from in config.yaml lists them).',
      };
    if (!ctx.platforms().some((p) => p.platform === name))
      return { kind: 'reply', text: `No platform named ${name}. ${USAGE}` };
    const done = action === 'pause' ? await ctx.pausePlatform(name) : await ctx.resumePlatform(name);
    if (!done)
      return { kind: 'reply', text: `${name} is already ${action === 'pause' ? 'paused' : 'running'}.` };
    return { kind: 'reply', text: action === 'pause' ? `⏸ ${name} paused.` : `▶️ ${name} resumed.` };
  },
};
