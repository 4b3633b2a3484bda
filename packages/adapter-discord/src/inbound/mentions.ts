/**
 * Removes mentions of the bot: `<@id>`, the legacy nickname form `<@!id>`, and `<@&role>` for the bot's
 * own managed role (Discord's autocomplete often picks the role when people type @BotName). The
 * whitespace around a removed mention collapses to one space; the result is trimmed.
 */
export function stripBotMentions(text: string, botId: string, botRoleIds: readonly string[] = []): string {
  // Most messages mention nobody: skip compiling the pattern (every form starts with "<@").
  if (!text.includes('<@')) return text.trim();
  const ids = [`@!?${escapeId(botId)}`, ...botRoleIds.map((id) => `@&${escapeId(id)}`)];
  const pattern = new RegExp(`\\s*<(?:${ids.join('|')})>\\s*`, 'g');
  return text.replace(pattern, ' ').trim();
}

/** True when the text contains a user mention of `userId` in either form. */
export function textMentionsUser(text: string, userId: string): boolean {
  // The two literal forms of `<@!?id>`, without compiling a pattern per message.
  return text.includes(`<@${userId}>`) || text.includes(`<@!${userId}>`);
}

function escapeId(id: string): string {
  return id.replace(/[^0-9A-Za-z]/g, (c) => `\\${c}`);
}
