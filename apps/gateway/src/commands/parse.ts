export interface ParsedCommand {
  name: string;
  args: string;
}

/**
 * `/name@bot args` → { name, args } (spec 1.6): lowercased, `@botname` stripped, smart dashes that phones
 * insert turned back into `--` and `-`. `!name` is accepted where the adapter allows it (Slack threads).
 */
export function parseCommand(text: string, options: { bangAlias?: boolean } = {}): ParsedCommand | undefined {
  const trimmed = text.trimStart();
  const lead = trimmed[0];
  if (lead !== '/' && !(options.bangAlias && lead === '!')) return undefined;
  const match = /^[/!](\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase().replace(/@[\w.-]+$/, '');
  if (name.length === 0 || name.includes('/')) return undefined;
  const args = (match[2] ?? '').replaceAll('—', '--').replaceAll('–', '-').trim();
  return { name, args };
}
