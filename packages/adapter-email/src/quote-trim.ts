/** Lines that introduce the quoted history a mail client appends below the new text. */
const ATTRIBUTION = [
  // "On Mon, 1 Jan 2024 at 10:00, Alice <a@x> wrote:" (may be wrapped over two lines by the client)
  /^On\b[\s\S]{0,300}?\bwrote:\s*$/m,
  /^Le\b[\s\S]{0,300}?\ba écrit\s*:\s*$/m,
  /^Am\b[\s\S]{0,300}?\bschrieb\b[\s\S]{0,100}?:\s*$/m,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/im,
  /^-{2,}\s*Forwarded message\s*-{2,}\s*$/im,
  /^_{10,}\s*$/m,
  // Outlook: a header block "From: ...\nSent: ..." starts the quoted mail.
  /^From:\s.*\n(?:Sent|Date):\s/m,
];

/**
 * The new text of a reply without the quoted history below it: from the first attribution line
 * ("On ... wrote:", "-----Original Message-----", an Outlook header block) or the first run of ">" lines
 * that runs to the end, and the "-- " signature. Text that is only a quote is kept as it is.
 */
export function trimQuotedHistory(text: string): string {
  let body = text.replace(/\r\n/g, '\n');
  let cut = body.length;
  for (const pattern of ATTRIBUTION) {
    const match = pattern.exec(body);
    if (match && match.index < cut) cut = match.index;
  }
  body = body.slice(0, cut);
  // A block of ">" lines (and blank lines) at the end is the quoted mail in bottom-posting style clients.
  const lines = body.split('\n');
  let end = lines.length;
  while (end > 0 && (lines[end - 1]!.startsWith('>') || lines[end - 1]!.trim() === '')) end -= 1;
  body = lines.slice(0, end).join('\n');
  const signature = body.search(/^-- ?$/m);
  if (signature >= 0) body = body.slice(0, signature);
  const trimmed = body.trim();
  return trimmed === '' ? text.trim() : trimmed;
}
