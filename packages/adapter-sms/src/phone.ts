/**
 * The canonical form of a phone number as Twilio writes it (`From`/`To`): E.164, `+` and digits.
 * People write allowlists as `+1 (555) 123-4567`, `0015551234567` or `tel:+15551234567`; all become
 * `+15551234567`. A bare number of 11 or more digits is taken to carry its country code. Anything that
 * is not a phone number (an alphanumeric sender id) is only trimmed.
 */
export function normalizeSmsNumber(id: string): string {
  const trimmed = id.trim().replace(/^(?:tel|sms):/i, '');
  if (!/^[+\d\s().\-/]+$/.test(trimmed)) return id.trim();
  let digits = trimmed.replace(/[^\d+]/g, '');
  // A '+' is only meaningful in front.
  const plus = digits.startsWith('+');
  digits = digits.replace(/\+/g, '');
  if (digits.length === 0) return id.trim();
  if (plus) return `+${digits}`;
  if (digits.startsWith('00') && digits.length > 4) return `+${digits.slice(2)}`;
  if (digits.length >= 11) return `+${digits}`;
  return digits;
}
