/** A Twilio webhook form: each field once, except where Twilio repeats one (then an array, as the validator wants). */
export type TwilioParams = Record<string, string | string[]>;

/** Parses an `application/x-www-form-urlencoded` body; repeated keys become arrays. */
export function parseTwilioForm(body: string): TwilioParams {
  const params: TwilioParams = Object.create(null) as TwilioParams;
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

/** One field that must appear at most once: undefined when absent, an error text when repeated. */
export function singleParam(params: TwilioParams, key: string): string | undefined | { repeated: true } {
  const value = params[key];
  if (Array.isArray(value)) return { repeated: true };
  return value;
}

/** Encodes params the way Twilio posts them (used by the fake and the signer). */
export function encodeTwilioForm(params: Readonly<Record<string, string | readonly string[]>>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') form.append(key, value);
    else for (const v of value) form.append(key, v);
  }
  return form.toString();
}
