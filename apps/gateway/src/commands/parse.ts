export interface ParsedCommand {
  name: string;
  args: string;
}

/**
 * `/name@bot args` → { name, args } (spec 1.6): lowercased, `@botname` stripped, smart dashes that phones
 * insert turned back into `--` and `-`. `altPrefix` is a second prefix the platform asks for where it
 * keeps `/` for itself (`!` in Slack threads: `capabilities.threadCommandPrefix`).
 */
export function parseCommand(text: string, options: { altPrefix?: string } = {}): ParsedCommand | undefined {
  const trimmed = text.trimStart();
  const prefix = trimmed.startsWith('/')
    ? '/'
    : options.altPrefix && trimmed.startsWith(options.altPrefix)
      ? options.altPrefix
      : undefined;
  if (!prefix) return undefined;
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed.slice(prefix.length));
  if (!match) return undefined;
  const name = match[1]!.toLowerCase().replace(/@[\w.-]+$/, '');
  if (name.length === 0 || name.includes('/')) return undefined;
  const args = (match[2] ?? '').replaceAll('—', '--').replaceAll('–', '-').trim();
  return { name, args };
}
