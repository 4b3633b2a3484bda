/**
 * Signal names a message by its author and its sent timestamp: quoting and reacting need both. The
 * adapter's message ids carry the two as `<timestamp>@<author>` (author = E.164 number or service id), so
 * the id the host hands back as `replyTo` or to `react()` is enough on its own.
 */
export interface SignalMessageRef {
  timestamp: number;
  author: string | undefined;
}

export function formatSignalMessageId(timestamp: number, author: string): string {
  return `${timestamp}@${author}`;
}

/** Parses `<timestamp>@<author>` or a bare timestamp; undefined when it is neither. */
export function parseSignalMessageId(id: string): SignalMessageRef | undefined {
  const at = id.indexOf('@');
  const stamp = at < 0 ? id : id.slice(0, at);
  if (!/^\d{1,16}$/.test(stamp)) return undefined;
  const timestamp = Number(stamp);
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) return undefined;
  const author = at < 0 ? undefined : id.slice(at + 1).trim();
  return { timestamp, author: author === '' ? undefined : author };
}
