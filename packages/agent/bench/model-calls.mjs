// Chat completions per second and client CPU per call: the openai client (configured as the agent
// configures it) over createModelFetch, the same client over Node's fetch, and a bare node:http
// keep-alive request with the same body, sequentially and 8 at a time. The fake model runs in a child
// process; CPU is this process's (process.cpuUsage), so it is the client side only.
import { Agent, request } from 'node:http';
import { fmt, forkBenchProcess } from '@hermes/adapter-testkit/bench';
import OpenAI from 'openai';
import { createAgent, createApprovalGate, createModelFetch } from '../dist/index.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1500);
const WARMUP = Math.min(200, CALLS);
const CONCURRENCY = 8;
const ask = { model: 'fake-model', messages: [{ role: 'user', content: 'Say hello.' }] };

/** node:http, keep-alive, the same JSON body; reads the whole answer (and parses it when it is JSON). */
function bareCall(baseURL, stream) {
  const agent = new Agent({ keepAlive: true });
  const url = new URL(`${baseURL}/chat/completions`);
  const body = JSON.stringify(
    stream ? { ...ask, stream: true, stream_options: { include_usage: true } } : ask,
  );
  const call = () =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            authorization: 'Bearer sk-bench',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve(stream ? text : JSON.parse(text)));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { call, close: () => agent.destroy() };
}

/** The agent's client options (src/agent.ts), with the fetch under test. */
function clientCall(baseURL, stream, fetch) {
  const client = new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 2, timeout: 120_000, fetch });
  const call = stream
    ? async () => {
        const s = await client.chat.completions.create({
          ...ask,
          stream: true,
          stream_options: { include_usage: true },
        });
        let text = '';
        for await (const chunk of s) text += chunk.choices[0]?.delta?.content ?? '';
        return text;
      }
    : () => client.chat.completions.create(ask);
  return { call, close: () => {} };
}

async function measureRun(call, calls, concurrency) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: calls / seconds, cpuUs: (cpu.user + cpu.system) / calls };
}

async function measure(subject) {
  for (let i = 0; i < WARMUP; i++) await subject.call();
  const sequential = await measureRun(subject.call, CALLS, 1);
  const concurrent = await measureRun(subject.call, CALLS * 2, CONCURRENCY);
  subject.close();
  return { sequential, concurrent };
}

function table(rows, baselineName) {
  const base = rows.find((r) => r.name === baselineName);
  const lines = [
    `${'case'.padEnd(34)} ${'seq calls/s'.padStart(11)} ${'× bare'.padStart(7)} ${'CPU µs/call'.padStart(11)} ${'8-conc calls/s'.padStart(14)} ${'× bare'.padStart(7)} ${'CPU µs/call'.padStart(11)}`,
  ];
  for (const r of rows) {
    const ratio = (m, mode) => (base ? fmt(m.rate / base.result[mode].rate, 2) : '');
    lines.push(
      `${r.name.padEnd(34)} ${fmt(r.result.sequential.rate, 0).padStart(11)} ${ratio(r.result.sequential, 'sequential').padStart(7)} ${fmt(r.result.sequential.cpuUs, 0).padStart(11)} ${fmt(r.result.concurrent.rate, 0).padStart(14)} ${ratio(r.result.concurrent, 'concurrent').padStart(7)} ${fmt(r.result.concurrent.cpuUs, 0).padStart(11)}`,
    );
  }
  return lines;
}

async function withFake(body) {
  const fake = forkBenchProcess(new URL('./fake-model.mjs', import.meta.url));
  const { baseURL } = await fake.ready;
  try {
    return await body(baseURL);
  } finally {
    await fake.call('close');
  }
}

export function runClientCalls(kind) {
  const stream = kind === 'sse';
  return withFake(async (baseURL) => {
    const transport = createModelFetch();
    const rows = [];
    rows.push({ name: 'bare node:http keep-alive', result: await measure(bareCall(baseURL, stream)) });
    rows.push({
      name: 'openai client + createModelFetch',
      result: await measure(clientCall(baseURL, stream, transport.fetch)),
    });
    rows.push({
      name: 'openai client + Node fetch',
      result: await measure(clientCall(baseURL, stream, globalThis.fetch)),
    });
    await transport.close();
    return {
      name: `chat completion, ${stream ? 'stream: true (SSE, 5 chunks)' : 'stream: false (JSON)'}: ${CALLS} sequential, ${CALLS * 2} at ${CONCURRENCY} concurrent`,
      lines: table(rows, 'bare node:http keep-alive'),
    };
  });
}

/** Whole agent turns (stream: true, no tools), default transport vs Node's fetch, bare request as baseline. */
export function runAgentTurns() {
  return withFake(async (baseURL) => {
    const approvals = createApprovalGate();
    const turnCall = (options) => {
      const agent = createAgent({ baseURL, apiKey: 'sk-bench', model: 'fake-model', ...options });
      return {
        call: async () => {
          for await (const _ of agent.runTurn({
            sessionKey: 'agent:main:bench:dm:1',
            history: [],
            userText: 'Say hello.',
            signal: new AbortController().signal,
            approvals,
          }));
        },
        close: () => {},
      };
    };
    const rows = [];
    rows.push({ name: 'bare node:http keep-alive (SSE)', result: await measure(bareCall(baseURL, true)) });
    rows.push({ name: 'agent turn, createModelFetch', result: await measure(turnCall({})) });
    rows.push({
      name: 'agent turn, Node fetch',
      result: await measure(turnCall({ fetch: globalThis.fetch })),
    });
    return {
      name: `agent.runTurn, stream: true: ${CALLS} sequential, ${CALLS * 2} at ${CONCURRENCY} concurrent`,
      lines: table(rows, 'bare node:http keep-alive (SSE)'),
    };
  });
}
