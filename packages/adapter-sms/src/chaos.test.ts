import { randomUUID } from 'node:crypto';
import { seededRandom } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { type AttemptFate, attempt } from '../test/chaos-sender.js';
import { startRig } from '../test/harness.js';

const WEBHOOKS = 1000;
const SENDERS = 50;
const CONCURRENCY = 25;
const MAX_ATTEMPTS = 12;

function fateFor(random: () => number): AttemptFate {
  const r = random();
  if (r < 0.12) return 'cut-mid-body';
  if (r < 0.24) return 'cut-before-answer';
  if (r < 0.32) return 'late-answer';
  return 'clean';
}

describe('1,000 inbound webhooks with connection drops, Twilio retries and REST 429s', () => {
  it('zero lost, zero duplicated: every message reaches the host once and is answered once', async () => {
    const random = seededRandom(0x5a5);
    const replies: Array<Promise<unknown>> = [];
    const rig = await startRig({
      onReceive: (msg, r) => {
        replies.push(r.adapter.send(msg.chat, { text: `re:${msg.text}` }));
      },
    });
    // About 3 % of Messages.json calls are rate limited (Retry-After: 1), chosen by the same seeded dice.
    const limitRandom = seededRandom(0x429);
    rig.fake.server.faults.next(
      {
        kind: 'rate-limit',
        retryAfterSeconds: 1,
        body: { code: 20429, message: 'Too Many Requests', status: 429 },
      },
      1_000_000,
      (req) => req.path.endsWith('/Messages.json') && limitRandom() < 0.03,
    );

    const fates: Record<AttemptFate, number> = {
      'cut-mid-body': 0,
      'cut-before-answer': 0,
      'late-answer': 0,
      clean: 0,
    };
    let next = 0;
    const deliverOne = async (i: number) => {
      const sid = `SM${i.toString(16).padStart(32, '0')}`;
      const params = {
        MessageSid: sid,
        SmsSid: sid,
        AccountSid: rig.fake.accountSid,
        From: `+1555000${String(i % SENDERS).padStart(4, '0')}`,
        To: rig.fake.phoneNumber,
        Body: `m${i}`,
        NumMedia: '0',
        SmsStatus: 'received',
      };
      // Twilio keeps the idempotency token across the retries of one webhook.
      const token = randomUUID();
      for (let n = 1; n <= MAX_ATTEMPTS; n++) {
        const fate = n === MAX_ATTEMPTS ? 'clean' : fateFor(random);
        fates[fate] += 1;
        const status = await attempt(rig.webhookUrl, rig.fake.authToken, params, token, fate);
        if (status === 200) return;
        if (status !== undefined) throw new Error(`webhook ${i} got ${status}`);
      }
      throw new Error(`webhook ${i} never got a 200`);
    };
    const worker = async () => {
      while (next < WEBHOOKS) await deliverOne(next++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Every drop kind happened often enough to matter.
    for (const fate of ['cut-mid-body', 'cut-before-answer', 'late-answer'] as const) {
      expect(fates[fate], `${fate} attempts`).toBeGreaterThan(50);
    }
    const ids = rig.received.map((m) => m.id);
    expect(new Set(ids).size, 'distinct messages received').toBe(WEBHOOKS);
    expect(ids, 'messages received (no duplicates)').toHaveLength(WEBHOOKS);

    const results = await Promise.all(replies);
    expect(results.every((r) => (r as { ok: boolean }).ok)).toBe(true);
    const sent = await waitFor(
      async () => {
        const all = await rig.fake.sentMessages();
        return all.length >= WEBHOOKS ? all : undefined;
      },
      { timeoutMs: 20_000, what: 'every reply to land' },
    );
    const bodies = sent.map((m) => `${m.chatId} ${m.text}`);
    expect(new Set(bodies).size, 'distinct replies').toBe(WEBHOOKS);
    expect(bodies, 'replies (no duplicates)').toHaveLength(WEBHOOKS);
    for (let i = 0; i < WEBHOOKS; i++) {
      expect(bodies).toContain(`+1555000${String(i % SENDERS).padStart(4, '0')} re:m${i}`);
    }
    const limited = rig.fake.server.faults.applied.filter((a) => a.fault.kind === 'rate-limit').length;
    expect(limited, 'rate-limited sends that were retried').toBeGreaterThan(5);
  }, 60_000);
});
