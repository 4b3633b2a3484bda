/**
 * Discord's canonical user id for allowlists: the bare snowflake. People paste ids the way Discord shows
 * them in places: a mention `<@123>` (or the older nickname form `<@!123>`), or `user:123` as target
 * strings write it. Anything else is returned trimmed, unchanged.
 */
export function normalizeDiscordUserId(id: string): string {
  let value = id.trim();
  if (value.toLowerCase().startsWith('user:')) value = value.slice('user:'.length).trim();
  const mention = /^<@!?(\d+)>$/.exec(value);
  return mention ? mention[1]! : value;
}
