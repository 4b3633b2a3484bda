// Signed webhook in → empty TwiML → reply through Messages.json: the adapter against a bare node:http
// handler that does the same work (read the form, HMAC-SHA1 check in constant time, empty TwiML, one
// Basic-auth REST POST per reply) in the same run, against the same driver process.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaCache, silentLogger } from '@hermes/adapter-core';
import { fmt, forkBenchProcess, freePort } from '@hermes/adapter-testkit/bench';
import { createSmsAdapter } from '../dist/index.js';

const TOTAL = 8_000;
const WARMUP = 1_000;
const INFLIGHT = 50;
const SENDERS = 200;

async function startDriver() {
  const driver = forkBenchProcess(new URL('./driver-process.mjs', import.meta.url));
  return { ...(await driver.ready), call: driver.call };
}

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** The baseline: what any Twilio bot has to do, with nothing else. */
async function bareServer(driver) {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  const auth = `Basic ${Buffer.from(`${driver.accountSid}:${driver.authToken}`).toString('base64')}`;
  let publicUrl = '';
  const reply = (to, body) => {
    const form = new URLSearchParams({ To: to, From: driver.phoneNumber, Body: body }).toString();
    const req = request(`${driver.restUrl}/2010-04-01/Accounts/${driver.accountSid}/Messages.json`, {
      method: 'POST',
      agent,
      headers: {
        authorization: auth,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(form),
      },
    });
    req.on('response', (res) => res.resume());
    req.on('error', () => {});
    req.end(form);
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
      const data = Object.keys(params)
        .sort()
        .reduce((acc, k) => acc + k + params[k], publicUrl);
      const expected = createHmac('sha1', driver.authToken).update(Buffer.from(data, 'utf-8')).digest();
      const given = Buffer.from(String(req.headers['x-twilio-signature'] ?? ''), 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(403);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(EMPTY) });
      res.end(EMPTY);
      reply(params.From, `re:${params.Body}`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  publicUrl = `http://127.0.0.1:${server.address().port}/webhooks/twilio`;
  return {
    url: publicUrl,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

async function adapterServer(driver) {
  const dir = mkdtempSync(join(tmpdir(), 'sms-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/webhooks/twilio`;
  const adapter = createSmsAdapter({
    accountSid: driver.accountSid,
    authToken: driver.authToken,
    phoneNumber: driver.phoneNumber,
    webhookPort: port,
    webhookUrl: url,
    apiBase: driver.restUrl,
  });
  const controller = new AbortController();
  await adapter.start({
    logger: silentLogger,
    signal: controller.signal,
    mediaCache: new MediaCache({ dir }),
    status: () => {},
    receive: (msg) => {
      void adapter.send(msg.chat, { text: `re:${msg.text}` });
    },
  });
  return {
    url,
    async close() {
      await adapter.stop();
      controller.abort();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function run() {
  const driver = await startDriver();
  try {
    const load = { total: TOTAL, warmup: WARMUP, inflight: INFLIGHT, senders: SENDERS };
    const bare = await bareServer(driver);
    const baseline = await driver.call('roundtrip', { ...load, url: bare.url });
    await bare.close();
    const sut = await adapterServer(driver);
    const measured = await driver.call('roundtrip', { ...load, url: sut.url });
    await sut.close();
    return {
      name: `signed webhook → reply through Messages.json, ${INFLIGHT} in flight, ${TOTAL - WARMUP} measured`,
      lines: [
        `bare node:http + HMAC: ${fmt(baseline.perSecond, 0)}/s, p50 ${fmt(baseline.p50, 2)} ms, p99 ${fmt(baseline.p99, 2)} ms, errors ${baseline.errors}`,
        `adapter (SDK):         ${fmt(measured.perSecond, 0)}/s, p50 ${fmt(measured.p50, 2)} ms, p99 ${fmt(measured.p99, 2)} ms, errors ${measured.errors}`,
        `ratio adapter/bare: ${fmt(measured.perSecond / baseline.perSecond, 2)}x`,
      ],
    };
  } finally {
    await driver.call('close').catch(() => {});
  }
}
