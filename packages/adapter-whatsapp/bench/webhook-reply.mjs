// Signed webhook in → reply out through the Graph API, 50 in flight: the adapter against a bare node:http
// handler doing the same work (HMAC check, JSON parse, one fetch to the same fake) in the same run.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaCache, silentLogger } from '@hermes/adapter-core';
import { forkBenchProcess } from '@hermes/adapter-testkit/bench';
import { createWhatsappAdapter } from '../dist/index.js';

const TOTAL = 4_000;
const WARMUP = 400;
const CONCURRENCY = 50;

function startFake() {
  return forkBenchProcess(new URL('./fake-process.mjs', import.meta.url));
}

/** The baseline: what any hand-written webhook handler must do at least. */
async function bareHandler(info) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const expected = Buffer.from(
        `sha256=${createHmac('sha256', info.appSecret).update(body).digest('hex')}`,
      );
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      const message = JSON.parse(body.toString()).entry[0].changes[0].value.messages[0];
      res.writeHead(200).end();
      await fetch(`${info.url}/${info.phoneNumberId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${info.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          to: message.from,
          type: 'text',
          text: { body: `echo ${message.text.body}` },
        }),
      }).then((r) => r.text());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/whatsapp/webhook`,
    close: () => new Promise((r) => server.close(r)),
  };
}

async function adapterHandler(info) {
  const dir = mkdtempSync(join(tmpdir(), 'whatsapp-bench-'));
  const adapter = createWhatsappAdapter({
    phoneNumberId: info.phoneNumberId,
    accessToken: info.accessToken,
    appSecret: info.appSecret,
    verifyToken: 'bench',
    graphApiBase: info.url,
    webhookPort: 0,
    stateDir: dir,
    // Meta's default 80/s would measure the throttle, not the adapter.
    messagesPerSecond: 1_000_000,
  });
  const controller = new AbortController();
  await adapter.start({
    receive: (msg) => void adapter.send(msg.chat, { text: `echo ${msg.text}`, replyTo: msg.id }),
    status: () => {},
    logger: silentLogger,
    mediaCache: new MediaCache({ dir }),
    signal: controller.signal,
  });
  return {
    url: adapter.webhookUrl,
    async close() {
      await adapter.stop();
      controller.abort();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function measure(fake, handler, tag) {
  await fake.call('run', {
    target: handler.url,
    total: WARMUP,
    concurrency: CONCURRENCY,
    tag: `${tag}-warm`,
  });
  return fake.call('run', { target: handler.url, total: TOTAL, concurrency: CONCURRENCY, tag });
}

export async function run() {
  const fake = startFake();
  const info = await fake.ready;
  try {
    const bare = await bareHandler(info);
    const baseline = await measure(fake, bare, 'bare');
    await bare.close();
    const adapter = await adapterHandler(info);
    const measured = await measure(fake, adapter, 'adapter');
    await adapter.close();
    const fmt = (n) => n.toFixed(0);
    return {
      name: `signed webhook → Graph reply, ${CONCURRENCY} in flight, ${TOTAL} DMs from distinct users`,
      lines: [
        `bare node:http + HMAC: ${fmt(baseline.perSecond)}/s (errors ${baseline.errors})`,
        `adapter:              ${fmt(measured.perSecond)}/s (errors ${measured.errors})`,
        `ratio adapter/bare: ${(measured.perSecond / baseline.perSecond).toFixed(2)}x`,
      ],
    };
  } finally {
    await fake.call('close');
  }
}
