/** Query parameters pg reads as secrets: dropped from anything shown (logs, `hermes status`, errors). */
const SECRET_PARAMS = ['password', 'sslpassword', 'sslkey'];

export interface ConnectionTarget {
  /** The URL without its password, for `StateStorage.location`. */
  readonly location: string;
  /** `host:port/database`, for error messages. */
  readonly where: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/**
 * Reads a `postgres://` URL for display only (pg parses it again to connect). Returns undefined when it is not
 * a URL, so the caller can say so instead of pg's own, less helpful, parse error.
 */
export function connectionTarget(url: string): ConnectionTarget | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') return undefined;
  const user = decodeURIComponent(parsed.username) || process.env['PGUSER'] || 'postgres';
  const host = decodeURIComponent(parsed.hostname) || parsed.searchParams.get('host') || 'localhost';
  const port = Number(parsed.port || 5432);
  // pg's default database is the user's name, like libpq's.
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  parsed.password = '';
  for (const name of SECRET_PARAMS) parsed.searchParams.delete(name);
  return { location: parsed.toString(), where: `${host}:${port}/${database}`, host, port, database, user };
}
