// 2,500 callbacks/s for 3 s with text batching on, a bot that thinks for 2 s per message: how many replies
// go passively (callback req_id) and how many are lost. Baseline: the same run with a reply-token cache
// bounded at 1,000 entries whatever is pending, like the Python original.
import { createWecomAdapter } from '../dist/index.js';
import { benchContext, startFakeProcess } from './support.mjs';

const RATE = 2_500;
const SECONDS = 3;
const USERS = 1_500;
const AGENT_DELAY_MS = 2_000;

async function once(fake, tag, replyCache) {
  const { ctx, cleanup } = benchContext();
  const adapter = createWecomAdapter({
    botId: fake.botId,
    secret: fake.secret,
    websocketUrl: fake.url,
    dmPolicy: 'open',
    requestTimeoutMs: 30_000,
    ...(replyCache ? { replyCache } : {}),
  });
  const sends = [];
  let handed = 0;
  ctx.receive = (msg) => {
    handed++;
    sends.push(
      new Promise((resolve) => setTimeout(resolve, AGENT_DELAY_MS)).then(() =>
        adapter.send(msg.chat, { text: `re ${msg.text}`, replyTo: msg.id }),
      ),
    );
  };
  await adapter.start(ctx);
  const { total } = await fake.call('burst', { rate: RATE, seconds: SECONDS, users: USERS, tag });
  // Wait for the last batches (0.6 s) and the agent (2 s), then for every send to settle.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const results = await Promise.all(sends);
  const summary = await fake.call('reply-summary', { tag });
  const failed = results.filter((r) => !r.ok).length;
  const stats = adapter.stats();
  await adapter.stop();
  cleanup();
  return { total, handed, failed, summary, evicted: stats.replyTokens.pendingEvicted };
}

export async function run() {
  const fake = await startFakeProcess();
  try {
    const pinned = await once(fake, 'pinned');
    const sizeOnly = await once(fake, 'sizeonly', {
      maxEntries: 1_000,
      maxPending: 1_000,
      maxAgeMs: 86_400_000,
    });
    const line = (label, r) => {
      const replies = r.summary.passive + r.summary.proactive;
      const share = replies === 0 ? 0 : (100 * r.summary.passive) / replies;
      return `${label}: ${r.total} callbacks → ${r.handed} messages after batching; replies passive ${r.summary.passive}, proactive ${r.summary.proactive} (${share.toFixed(1)} % passive); lost ${r.total - r.summary.piecesAnswered}; failed sends ${r.failed}; tokens evicted while pending ${r.evicted}`;
    };
    return {
      name: '2,500 callbacks/s for 3 s, text batching on, 2 s agent delay',
      lines: [
        line('this adapter (pending tokens pinned)', pinned),
        line('baseline, size-only cache of 1,000', sizeOnly),
      ],
    };
  } finally {
    await fake.close();
  }
}
