/** How a message addressed the bot, and its text without the address. */
export interface MentionResult {
  mentioned: boolean;
  text: string;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matrix has three ways to address the bot: intentional mentions (`m.mentions.user_ids`), a pill in the
 * HTML (`<a href="https://matrix.to/#/@bot:server">Bot</a>`, whose text lands in `body` as the display
 * name), and the plain user id or display name typed in the body. Any of them counts; the id and the
 * name are then stripped from the text, with the ": " or ", " clients put after a leading mention.
 */
export function detectMention(
  content: Record<string, unknown>,
  body: string,
  bot: { userId: string | undefined; displayName: string | undefined },
): MentionResult {
  const userId = bot.userId;
  if (userId === undefined) return { mentioned: false, text: body };
  const intentional = content['m.mentions'] as { user_ids?: unknown } | undefined;
  const listed = Array.isArray(intentional?.user_ids) && intentional.user_ids.includes(userId);
  const html = typeof content['formatted_body'] === 'string' ? content['formatted_body'] : '';
  const pill =
    html.includes(`matrix.to/#/${userId}`) || html.includes(`matrix.to/#/${encodeURIComponent(userId)}`);
  const idPattern = new RegExp(escapeRegExp(userId), 'gi');
  const name = bot.displayName && bot.displayName !== userId ? bot.displayName : undefined;
  const namePattern = name
    ? new RegExp(`(^|[^\\p{L}\\p{N}_])${escapeRegExp(name)}(?=$|[^\\p{L}\\p{N}_])`, 'giu')
    : undefined;
  const byId = idPattern.test(body);
  const byName = namePattern ? namePattern.test(body) : false;
  const mentioned = listed || pill || byId || byName;
  if (!mentioned) return { mentioned, text: body };
  let text = body.replace(new RegExp(escapeRegExp(userId), 'gi'), '');
  if (namePattern) text = text.replace(namePattern, '$1');
  text = text
    .replace(/^[\s:,]+/, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  return { mentioned, text };
}

/** Drops the "> <@alice:hs> quoted" fallback lines a reply carries in front of its own text. */
export function stripReplyFallback(body: string): string {
  const lines = body.split('\n');
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith('>')) i += 1;
  if (i === 0) return body;
  while (i < lines.length && lines[i]!.trim() === '') i += 1;
  return lines.slice(i).join('\n');
}
