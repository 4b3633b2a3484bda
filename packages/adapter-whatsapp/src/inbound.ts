/**
 * The `messages` webhook envelope: object → entry[] → changes[] → value { metadata, contacts, messages,
 * statuses, errors }. Read defensively: one bad item is reported and skipped, the rest of the batch goes on.
 */

export type JsonObject = Record<string, unknown>;

/** One user message of a webhook, with what its change says around it. */
export interface WhatsappWebhookMessage {
  message: JsonObject;
  /** `contacts[].profile.name` of the sender, when Meta sent it. */
  senderName: string | undefined;
  /** The business number the message was sent to (`metadata.display_phone_number`). */
  businessNumber: string | undefined;
}

/** A delivery status of a message the bot sent. */
export interface WhatsappWebhookStatus {
  id: string;
  status: string;
  recipientId: string | undefined;
  timestamp: number | undefined;
  errors: Array<{ code: number | undefined; title: string }>;
}

export type WhatsappWebhookParse =
  | { ok: false; problem: string }
  | {
      ok: true;
      messages: WhatsappWebhookMessage[];
      statuses: WhatsappWebhookStatus[];
      /** Items that could not be read: logged, never a reason to refuse the batch. */
      problems: string[];
      /** Changes for other fields or other phone numbers of the account, skipped on purpose. */
      skipped: number;
    };

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function readStatus(raw: unknown): WhatsappWebhookStatus | string {
  if (!isObject(raw)) return `a status is ${describe(raw)}, not an object`;
  const id = str(raw['id']);
  const status = str(raw['status']);
  if (id === undefined || status === undefined) return 'a status has no id or status';
  const errors = Array.isArray(raw['errors'])
    ? raw['errors'].filter(isObject).map((e) => ({
        code: typeof e['code'] === 'number' ? e['code'] : undefined,
        title: str(e['title']) ?? str(e['message']) ?? 'unknown error',
      }))
    : [];
  const ts = Number(raw['timestamp']);
  return {
    id,
    status,
    recipientId: str(raw['recipient_id']),
    timestamp: Number.isFinite(ts) ? ts : undefined,
    errors,
  };
}

/**
 * Splits a webhook body into the user messages and delivery statuses meant for `phoneNumberId`.
 * `ok: false` only when the envelope itself is unusable (not a WhatsApp webhook at all).
 */
export function parseWhatsappWebhook(payload: unknown, phoneNumberId: string): WhatsappWebhookParse {
  if (!isObject(payload))
    return { ok: false, problem: `the body is ${describe(payload)}, not a JSON object` };
  if (payload['object'] !== 'whatsapp_business_account') {
    return {
      ok: false,
      problem: `"object" is ${JSON.stringify(String(payload['object']).slice(0, 40))}, expected "whatsapp_business_account"`,
    };
  }
  if (!Array.isArray(payload['entry'])) return { ok: false, problem: '"entry" is missing or not an array' };
  const messages: WhatsappWebhookMessage[] = [];
  const statuses: WhatsappWebhookStatus[] = [];
  const problems: string[] = [];
  let skipped = 0;
  for (const entry of payload['entry']) {
    if (!isObject(entry) || !Array.isArray(entry['changes'])) {
      problems.push('an entry has no "changes" array');
      continue;
    }
    for (const change of entry['changes']) {
      if (!isObject(change) || !isObject(change['value'])) {
        problems.push('a change has no "value" object');
        continue;
      }
      const value = change['value'];
      const metadata = isObject(value['metadata']) ? value['metadata'] : {};
      const target = str(metadata['phone_number_id']);
      if (change['field'] !== 'messages' || (target !== undefined && target !== phoneNumberId)) {
        skipped += 1;
        continue;
      }
      const names = new Map<string, string>();
      if (Array.isArray(value['contacts'])) {
        for (const contact of value['contacts']) {
          if (!isObject(contact)) continue;
          const waId = str(contact['wa_id']);
          const name = isObject(contact['profile']) ? str(contact['profile']['name']) : undefined;
          if (waId !== undefined && name !== undefined) names.set(waId, name);
        }
      }
      for (const message of Array.isArray(value['messages']) ? value['messages'] : []) {
        if (!isObject(message)) {
          problems.push(`a message is ${describe(message)}, not an object`);
          continue;
        }
        const from = str(message['from']);
        messages.push({
          message,
          senderName: from === undefined ? undefined : names.get(from),
          businessNumber: str(metadata['display_phone_number']),
        });
      }
      for (const raw of Array.isArray(value['statuses']) ? value['statuses'] : []) {
        const status = readStatus(raw);
        if (typeof status === 'string') problems.push(status);
        else statuses.push(status);
      }
      if (Array.isArray(value['errors'])) {
        for (const error of value['errors'].filter(isObject)) {
          problems.push(
            `Meta reported error #${String(error['code'])}: ${str(error['title']) ?? str(error['message']) ?? ''}`,
          );
        }
      }
    }
  }
  return { ok: true, messages, statuses, problems, skipped };
}
