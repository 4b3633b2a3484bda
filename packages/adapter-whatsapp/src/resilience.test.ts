import { seededRandom } from '@hermes/adapter-core';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_SECRET, type Rig, rig } from '../test/harness.js';
import {
  type DeliveryFault,
  deliverWithMetaRetries,
  textMessage,
  whatsappWebhookBody,
} from './testing/index.js';

let r: Rig | undefined;

afterEach(async () => {
  await r?.close();
  r = undefined;
});

const WEBHOOKS = 1_000;
const CONCURRENCY = 25;

describe('whatsapp resilience: Meta retries over a lossy network', () => {
  it(`${WEBHOOKS} webhooks with cut requests, lost answers, host refusals and redeliveries: zero lost, zero duplicated`, async () => {
    const random = seededRandom(20_261_206);
    r = await rig();
    // The host refuses about 5% of messages the first time it sees them (a busy journal): the adapter
    // must answer 500 so that Meta's retry brings them back.
    const refusedOnce = new Set<string>();
    const receive = r.context.ctx.receive;
    r.context.ctx.receive = (msg) => {
      if (!refusedOnce.has(msg.id) && random() < 0.05) {
        refusedOnce.add(msg.id);
        throw new Error('host busy');
      }
      receive(msg);
    };
    await r.start();
    const url = r.adapter.webhookUrl!;
    const faultFor = (): DeliveryFault | undefined => {
      const roll = random();
      return roll < 0.1 ? 'cut-request' : roll < 0.2 ? 'lose-response' : undefined;
    };
    const expected: string[] = [];
    let attempts = 0;
    let next = 0;
    const worker = async () => {
      while (next < WEBHOOKS) {
        const n = next++;
        // One message per webhook, every tenth a batch of two (Meta batches under load).
        const users = n % 10 === 0 ? [n, n + 100_000] : [n];
        const messages = users.map((u) => textMessage({ from: String(15_550_000_000 + u) }, `token-${u}`));
        expected.push(...users.map((u) => `token-${u}`));
        const body = JSON.stringify(
          whatsappWebhookBody(r!.fake.business, {
            contacts: users.map((u) => ({ waId: String(15_550_000_000 + u) })),
            messages,
          }),
        );
        // (Awaited first: `attempts += await` would read attempts before the await and lose counts.)
        const tries = await deliverWithMetaRetries(url, body, {
          appSecret: APP_SECRET,
          faultFor,
          baseDelayMs: 2,
          maxAttempts: 40,
        });
        attempts += tries;
        // Meta sometimes delivers a notification again after a 200.
        if (random() < 0.05) {
          const again = await deliverWithMetaRetries(url, body, { appSecret: APP_SECRET, maxAttempts: 40 });
          attempts += again;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await waitFor(() => r!.context.received.length >= expected.length || undefined, {
      timeoutMs: 10_000,
      what: `all ${expected.length} messages`,
    });
    await sleep(200);
    const texts = r.context.received.map((m) => m.text);
    const counts = new Map<string, number>();
    for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
    const lost = expected.filter((t) => !counts.has(t));
    const doubled = [...counts].filter(([, c]) => c > 1).map(([t]) => t);
    expect(lost, 'lost messages').toEqual([]);
    expect(doubled, 'duplicated messages').toEqual([]);
    expect(texts).toHaveLength(expected.length);
    // The faults really happened: more attempts than webhooks, and the host did refuse some.
    expect(attempts).toBeGreaterThan(WEBHOOKS * 1.1);
    expect(refusedOnce.size).toBeGreaterThan(10);
  }, 60_000);
});
