/**
 * Allowlists name users by numeric id or by username, and people write usernames with or without the
 * `@` and in any case (Telegram usernames are case-insensitive). Senders carry the username without `@`
 * as `altId`, so both sides drop the `@` and compare in lower case; numeric ids stay as they are.
 */
export function normalizeTelegramUserId(id: string): string {
  const trimmed = id.trim();
  if (/^-?\d+$/.test(trimmed)) return trimmed;
  return trimmed.replace(/^@/, '').toLowerCase();
}
