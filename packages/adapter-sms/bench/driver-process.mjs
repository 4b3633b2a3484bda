// The other side of the benchmark, in its own process so it does not share the event loop under test:
// a minimal Twilio REST endpoint (Messages.json, Basic auth, 201 JSON) and a load generator that posts
// signed "a message comes in" webhooks and times each one until its reply reaches Messages.json.
import { createHmac, randomBytes } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';

const accountSid = `AC${randomBytes(16).toString('hex')}`;
const authToken = randomBytes(16).toString('hex');
const phoneNumber = '+15005550006';
const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
const waiting = new Map();

const rest = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.headers.authorization !== expectedAuth) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"code":20003,"message":"Authenticate","status":401}');
      return;
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    const body = form.get('Body') ?? '';
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const json = JSON.stringify({
      sid,
      account_sid: accountSid,
      to: form.get('To'),
      from: form.get('From'),
      body,
      status: 'queued',
    });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
    const token = /m(\d+)$/.exec(body)?.[1];
    const w = token === undefined ? undefined : waiting.get(Number(token));
    if (w) {
      waiting.delete(Number(token));
      w();
    }
  });
});
await new Promise((resolve) => rest.listen(0, '127.0.0.1', resolve));
const restUrl = `http://127.0.0.1:${rest.address().port}`;

function sign(url, params) {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

function postWebhook(agent, url, params) {
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
          'content-length': Buffer.byteLength(body),
          'x-twilio-signature': sign(url, params),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`webhook got ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let sequence = 0;
async function roundtrips({ url, total, warmup, inflight, senders }) {
  const agent = new Agent({ keepAlive: true, maxSockets: inflight });
  const latencies = [];
  let errors = 0;
  let started = 0;
  let t0 = 0;
  const one = async () => {
    const n = sequence++;
    const i = started++;
    const params = {
      MessageSid: `SM${n.toString(16).padStart(32, '0')}`,
      AccountSid: accountSid,
      From: `+1555${String(n % senders).padStart(7, '0')}`,
      To: phoneNumber,
      Body: `m${n}`,
      NumMedia: '0',
    };
    const begin = performance.now();
    const replied = new Promise((resolve) => waiting.set(n, resolve));
    try {
      await postWebhook(agent, url, params);
      await replied;
      if (i >= warmup) latencies.push(performance.now() - begin);
    } catch {
      errors += 1;
      waiting.delete(n);
    }
  };
  const worker = async () => {
    while (started < total) {
      if (started === warmup) t0 = performance.now();
      await one();
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const elapsed = performance.now() - t0;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: (latencies.length / elapsed) * 1000, p50: at(0.5), p99: at(0.99), errors };
}

process.on('message', async (msg) => {
  try {
    if (msg.type === 'roundtrip') process.send({ id: msg.id, result: await roundtrips(msg) });
    else if (msg.type === 'close') {
      rest.close();
      process.send({ id: msg.id, result: true });
      process.exit(0);
    }
  } catch (error) {
    process.send({ id: msg.id, error: String(error) });
  }
});
process.send({ restUrl, accountSid, authToken, phoneNumber });
