// The gateway as the API-server benchmarks run it, and the bare baselines it is compared with. Only 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Agent as HttpAgent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerDescriptor, createApiServerAdapter } from '@hermes/adapter-api-server';
import { createRedactingLogger } from '@hermes/adapter-core';
import { createAgent } from '@hermes/agent';
import { startFakeOpenAI } from '@hermes/agent/testing';
import { GatewayHost, loadConfig, openStateStorage } from '../dist/index.js';

/**
 * The host's view of the API server, as the CLI builds it from the descriptor. Without it the host takes
 * the platform for a chat one and answers every request with a pairing code instead of the agent (which is
 * what this benchmark measured until it was given the profile).
 */
function profileOf(descriptor) {
  return {
    platform: descriptor.platform,
    kind: descriptor.kind ?? 'chat',
    secretEnv: descriptor.secretEnv,
    normalizeUserId: (id) => id.trim(),
  };
}

/**
 * Shaped like the CLI's logger: every call goes through the redacting wrapper, and the level is info, so
 * debug lines are dropped (a memory logger would keep every debug line of every request).
 */
function productionLikeLogger() {
  const drop = () => {};
  // The CLI's pino logger says which levels it drops; at info, debug lines are skipped before redaction.
  const inner = {
    debug: drop,
    info: drop,
    warn: drop,
    error: drop,
    child: () => inner,
    isLevelEnabled: (level) => level !== 'debug',
  };
  return createRedactingLogger(inner, []);
}

/** The model, with an instant fixed answer. */
export async function startInstantModel() {
  const fake = await startFakeOpenAI();
  fake.setDefault(() => ({ kind: 'text', text: 'hello' }));
  return fake;
}

/**
 * API server + host + agent against `model`; `url` is its chat completions endpoint. `env` adds to the
 * config's environment (HERMES_DATABASE_URL puts the state in PostgreSQL, as the CLI would).
 */
export async function startApiGateway(model, env = {}) {
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-'));
  const config = loadConfig({ HERMES_HOME: home, ...env });
  const agent = createAgent({
    baseURL: model.baseURL,
    apiKey: 'k',
    model: 'fake-model',
    maxRetries: 0,
    stream: false,
  });
  const adapter = createApiServerAdapter({ host: '127.0.0.1', port: 0, maxConcurrentRuns: 64 });
  const host = new GatewayHost({
    config,
    storage: await openStateStorage(config),
    logger: productionLikeLogger(),
    agent,
    adapters: [adapter],
    profiles: { [apiServerDescriptor.platform]: profileOf(apiServerDescriptor) },
  });
  await host.start();
  return {
    url: `${adapter.address.url}/v1/chat/completions`,
    host,
    async stop() {
      await host.stop(2000);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * The state storage a host opens for itself (state.db in a fresh HERMES_HOME), as its turns write through
 * it. No adapter and no model call: only `storage` is used.
 */
export function openHostStorage() {
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-state-'));
  const host = new GatewayHost({
    config: loadConfig({ HERMES_HOME: home }),
    logger: productionLikeLogger(),
    agent: createAgent({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', model: 'unused', maxRetries: 0 }),
    adapters: [],
    profiles: {},
  });
  const storage = host.runtime.storage;
  return {
    storage,
    async close() {
      await storage.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function listen(server) {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1/chat/completions`,
    stop: () => new Promise((r) => server.close(r)),
  };
}

/** A bare node:http server answering every request itself with a fixed completion (no model). */
export function startBareAnswer() {
  const completion = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 0,
    model: 'hermes-agent',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  });
  return listen(
    createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(completion));
    }),
  );
}

/** A bare node:http proxy: each request's body is forwarded to the model and its answer sent back. */
export function startBareProxy(model) {
  const target = new URL(`${model.baseURL}/chat/completions`);
  const agent = new HttpAgent({ keepAlive: true });
  return listen(
    createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const upstream = request(
          target,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': body.length,
              authorization: 'Bearer k',
            },
          },
          (answer) => {
            const parts = [];
            answer.on('data', (c) => parts.push(c));
            answer.on('end', () =>
              res
                .writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' })
                .end(Buffer.concat(parts)),
            );
          },
        );
        upstream.on('error', () => res.writeHead(502).end());
        upstream.end(body);
      });
    }),
  );
}
