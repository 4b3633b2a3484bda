/**
 * WeCom's canonical user id for allowlists: people write `wecom:user:Alice` or `Alice` for the userid WeCom
 * sends as `alice` (WeCom userids are case-insensitive), so the `wecom:` and then `user:`/`group:` prefixes
 * go and the rest is lower-cased. `*` stays the wildcard. The host applies it to both sides of a comparison.
 */
export function normalizeWecomUserId(id: string): string {
  let out = id.trim();
  if (out.toLowerCase().startsWith('wecom:')) out = out.slice('wecom:'.length);
  const lower = out.toLowerCase();
  if (lower.startsWith('user:')) out = out.slice('user:'.length);
  else if (lower.startsWith('group:')) out = out.slice('group:'.length);
  return out.trim().toLowerCase();
}
