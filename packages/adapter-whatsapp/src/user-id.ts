/** The digits of a phone number as people write it: `+1 (555) 010-2000` → `15550102000`. */
export function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

/** A phone number (or wa_id) in any common spelling, as opposed to a group id. */
export function isPhoneNumberId(value: string): boolean {
  return /^\s*(?:whatsapp:)?\+?[\d\s().-]{5,}\s*$/i.test(value) && digitsOf(value).length >= 5;
}

/**
 * Canonical user id for allowlists: a WhatsApp user is their wa_id, the phone number's digits. Accepts
 * `+1 555 010 2000`, `whatsapp:+15550102000` and Baileys JIDs (`15550102000@s.whatsapp.net`), so lists
 * written for the Python gateway's bridge keep working. Anything else is only trimmed.
 */
export function normalizeWhatsappUserId(id: string): string {
  const trimmed = id.trim();
  const jid = /^(\d+)(?::\d+)?@(?:s\.whatsapp\.net|c\.us)$/i.exec(trimmed);
  if (jid) return jid[1]!;
  return isPhoneNumberId(trimmed) ? digitsOf(trimmed) : trimmed;
}
