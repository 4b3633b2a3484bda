/**
 * True for `application/json` with any parameters (`; charset=utf-8`), in any case. A browser sends a
 * cross-site `text/plain` or form POST without asking first (no CORS preflight); a JSON POST needs one.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}
