import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeChatRequest, FakeOpenAI } from '@hermes/agent/testing';
import { step } from '@hermes/agent/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  startTestMcpHttpServer,
  type TestMcpHttpServer,
} from '../../../../packages/agent/test/fixtures/mcp-test-server.mjs';
import { type GatewayProcess, prepareApiWebhookHome, startGatewayProcess, until } from './gateway-process.js';

const SERVER_SCRIPT = fileURLToPath(
  new URL('../../../../packages/agent/test/fixtures/mcp-test-server.mjs', import.meta.url),
);

let home: string;
let fake: FakeOpenAI;
let gateway: GatewayProcess;
let apiPort: number;
let http: TestMcpHttpServer;

const stdioServer = [
  '  calc:',
  `    command: ${JSON.stringify(process.execPath)}`,
  `    args: [${JSON.stringify(SERVER_SCRIPT)}]`,
  '    timeout_seconds: 10',
  '  broken:',
  '    command: /nonexistent/hermes-mcp-server',
];

/** The model calls the tool the user names, then answers with what the tool returned. */
function respond(request: FakeChatRequest) {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return step.text(`The result is ${String(last.content)}.`);
  const text = String(last?.content ?? '');
  if (text.includes('multiply')) return step.toolCall('web__multiply', { a: 6, b: 7 });
  if (text.includes('stats')) return step.toolCall('calc__stats', {});
  return step.toolCall('calc__add', { a: 19, b: 23 });
}

beforeAll(async () => {
  http = await startTestMcpHttpServer({ extraTool: 'multiply' });
  let env: NodeJS.ProcessEnv;
  ({ home, fake, apiPort, env } = await prepareApiWebhookHome({
    prefix: 'hermes-e2e-mcp-',
    configYaml: ['mcp_servers:', ...stdioServer],
  }));
  fake.setDefault(respond);
  gateway = startGatewayProcess(env);
  await gateway.waitForLog(/gateway running/, 30_000);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await fake?.close();
  await http?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function ask(text: string): Promise<string> {
  const client = new OpenAI({
    baseURL: `http://127.0.0.1:${apiPort}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
    timeout: 20_000,
  });
  const res = await client.chat.completions.create(
    { model: 'hermes-agent', messages: [{ role: 'user', content: text }] },
    { headers: { 'X-Hermes-Session-Id': 'e2e-mcp' } },
  );
  return res.choices[0]?.message.content ?? '';
}

it('skips a server that cannot start, logging why, and keeps serving', async () => {
  await gateway.waitForLog(
    /"server":"broken","reason":"spawn \/nonexistent\/hermes-mcp-server ENOENT"[^\n]*mcp server not started/,
  );
  expect(gateway.output()).toMatch(/"server":"calc","tools":4[^\n]*mcp server connected/);
});

it('offers the MCP tools to the model and answers with the tool result', async () => {
  const before = fake.requests.length;
  const answer = await ask('please add 19 and 23');
  expect(answer).toContain('42');
  const first = fake.requests[before];
  expect(first?.body.tools?.map((t) => t.function.name)).toEqual(
    expect.arrayContaining(['calc__add', 'calc__slow', 'calc__fail', 'calc__stats']),
  );
  const add = first?.body.tools?.find((t) => t.function.name === 'calc__add');
  expect(add?.function.parameters).toMatchObject({ properties: { a: { type: 'number' } } });
});

it('lists /reload-mcp in /help', async () => {
  expect(await ask('/help')).toContain('/reload_mcp (/reload-mcp) — reconnect the MCP servers');
});

it('/reload-mcp re-reads config.yaml and connects a server added since the start', async () => {
  writeFileSync(
    join(home, 'config.yaml'),
    ['mcp_servers:', ...stdioServer, '  web:', `    url: ${http.url}`, ''].join('\n'),
  );
  const reply = await ask('/reload-mcp');
  expect(reply).toContain('calc: connected with 4 tools');
  expect(reply).toContain('web: connected with 5 tools');
  expect(reply).toMatch(/broken: failed: .*ENOENT/);
  const before = fake.requests.length;
  expect(await ask('now multiply 6 by 7')).toContain('42');
  expect(fake.requests[before]?.body.tools?.map((t) => t.function.name)).toContain('web__multiply');
});

it('refuses a broken config.yaml on /reload-mcp and keeps the running servers', async () => {
  writeFileSync(join(home, 'config.yaml'), 'mcp_servers:\n  calc:\n    comand: x\n');
  const reply = await ask('/reload_mcp');
  expect(reply).toMatch(/not reloaded.*mcp_servers\.calc\.comand: unknown key \(did you mean "command"\?\)/s);
  expect(await ask('add again')).toContain('42');
});

it('closes the MCP sessions and ends the stdio child when the gateway stops', async () => {
  const before = fake.requests.length;
  await ask('stats please');
  // The session's history holds earlier tool results too: the stats result is the last one.
  const toolMessage = fake.requests
    .slice(before)
    .flatMap((r) => r.body.messages)
    .filter((m) => m.role === 'tool')
    .at(-1);
  const { pid } = JSON.parse(String(toolMessage?.content)) as { pid: number };
  expect(Number.isInteger(pid)).toBe(true);
  expect(() => process.kill(pid, 0)).not.toThrow();
  expect(http.sessions()).toBe(1);
  expect(await gateway.stop()).toBe(0);
  expect(http.sessions()).toBe(0);
  await until(
    undefined,
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    },
    'the stdio MCP server to exit',
    5000,
  );
});
