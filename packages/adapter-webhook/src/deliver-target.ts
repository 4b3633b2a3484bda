/**
 * Where the host should deliver the agent's answer to a webhook event. The adapter does not deliver
 * anywhere itself (an adapter never talks to another platform); it names the target and the host routes.
 */
export type WebhookDeliverTarget =
  | { kind: 'log' }
  | {
      kind: 'platform';
      /** The route's `deliver` value as written, e.g. `telegram:-100123:42`. */
      target: string;
      platform: string;
      /** Everything after the first colon; absent means the platform's home channel. */
      chatId?: string;
    };

export function parseDeliverTarget(deliver: string): WebhookDeliverTarget {
  const value = deliver.trim();
  if (value === '' || value === 'log') return { kind: 'log' };
  const colon = value.indexOf(':');
  if (colon < 0) return { kind: 'platform', target: value, platform: value };
  const chatId = value.slice(colon + 1);
  const platform = value.slice(0, colon);
  return chatId === ''
    ? { kind: 'platform', target: value, platform }
    : { kind: 'platform', target: value, platform, chatId };
}
