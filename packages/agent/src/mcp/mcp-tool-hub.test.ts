import { execPath } from 'node:process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestMcpHttpServer, type TestMcpHttpServer } from '../../test/fixtures/mcp-test-server.mjs';
import { createApprovalGate } from '../approvals/approval-gate.js';
import type { AgentLogger, AgentTool, ToolContext } from '../types.js';
import type { McpServerConfig } from './mcp-config.js';
import { McpToolHub } from './mcp-tool-hub.js';

const SERVER_SCRIPT = fileURLToPath(new URL('../../test/fixtures/mcp-test-server.mjs', import.meta.url));

const stdio = (extra: Partial<McpServerConfig> = {}, args: string[] = []): McpServerConfig =>
  ({
    transport: 'stdio',
    command: execPath,
    args: [SERVER_SCRIPT, ...args],
    ...extra,
  }) as McpServerConfig;

function recordingLogger(): AgentLogger & {
  lines: Array<{ msg: string; fields?: Record<string, unknown> }>;
} {
  const lines: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const push = (msg: string, fields?: Record<string, unknown>) =>
    lines.push({ msg, ...(fields ? { fields } : {}) });
  return { lines, debug: push, info: push, warn: push, error: push };
}

function ctx(signal = new AbortController().signal): ToolContext {
  return {
    sessionKey: 's',
    toolCallId: 'call-1',
    signal,
    approvals: createApprovalGate({ ttlMs: 1000 }),
    context: {},
    logger: recordingLogger(),
    requestApproval: async () => ({ approved: false, reason: 'denied' }),
  };
}

function tool(hub: McpToolHub, name: string): AgentTool {
  const found = hub.tools().find((t) => t.name === name);
  if (!found)
    throw new Error(
      `no tool ${name}; have ${hub
        .tools()
        .map((t) => t.name)
        .join(', ')}`,
    );
  return found;
}

let http: TestMcpHttpServer;
const hubs: McpToolHub[] = [];
const newHub = (logger: AgentLogger = recordingLogger()) => {
  const hub = new McpToolHub({ logger });
  hubs.push(hub);
  return hub;
};

beforeAll(async () => {
  http = await startTestMcpHttpServer();
});
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});
afterAll(async () => {
  await http?.close();
});

describe.each([
  ['stdio (spawned child)', () => stdio()],
  ['streamable HTTP (127.0.0.1)', () => ({ transport: 'http', url: http.url }) as McpServerConfig],
])('McpToolHub over %s', (_label, config) => {
  it('offers the server tools as <server>__<tool> with the server JSON Schema and an mcp:<server> toolset', async () => {
    const hub = newHub();
    const [summary] = await hub.connect({ calc: config() });
    expect(summary).toEqual({ server: 'calc', ok: true, tools: 4, refused: [] });
    expect(
      hub
        .tools()
        .map((t) => t.name)
        .sort(),
    ).toEqual(['calc__add', 'calc__fail', 'calc__slow', 'calc__stats']);
    const add = tool(hub, 'calc__add');
    expect(add.toolset).toBe('mcp:calc');
    expect(add.parameters).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
    expect(add.parameters).not.toHaveProperty('$schema');
  });

  it('calls a tool and flattens the result to text', async () => {
    const hub = newHub();
    await hub.connect({ calc: config() });
    expect(await tool(hub, 'calc__add').execute({ a: 19, b: 23 }, ctx())).toEqual({ ok: true, output: '42' });
  });

  it('returns an isError result as a tool error with its text', async () => {
    const hub = newHub();
    await hub.connect({ calc: config() });
    expect(await tool(hub, 'calc__fail').execute({}, ctx())).toEqual({
      ok: false,
      output: 'the fail tool failed on purpose',
    });
  });

  it('reports arguments the server refuses as a tool error, not a throw', async () => {
    const hub = newHub();
    await hub.connect({ calc: config() });
    const result = await tool(hub, 'calc__add').execute({ a: 'one' }, ctx());
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/a|b/);
  });

  it('cancels a call that outlives the per-server tool timeout, and the server hears of it', async () => {
    const hub = newHub();
    await hub.connect({ calc: { ...config(), toolTimeoutMs: 300 } });
    const before = JSON.parse((await tool(hub, 'calc__stats').execute({}, ctx())).output).cancelled;
    const result = await tool(hub, 'calc__slow').execute({ ms: 15_000 }, ctx());
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/gave no answer within 0 s|gave no answer within/);
    await expect
      .poll(async () => JSON.parse((await tool(hub, 'calc__stats').execute({}, ctx())).output).cancelled, {
        timeout: 5000,
      })
      .toBe(before + 1);
  });

  it("stops a call when the turn's AbortSignal fires", async () => {
    const hub = newHub();
    await hub.connect({ calc: config() });
    const before = JSON.parse((await tool(hub, 'calc__stats').execute({}, ctx())).output).cancelled;
    const interrupt = new AbortController();
    const pending = tool(hub, 'calc__slow').execute({ ms: 15_000 }, ctx(interrupt.signal));
    setTimeout(() => interrupt.abort(new Error('user interrupted')), 200);
    const result = await pending;
    expect(result).toEqual({
      ok: false,
      output: 'Interrupted: the call to slow on MCP server "calc" was cancelled.',
    });
    await expect
      .poll(async () => JSON.parse((await tool(hub, 'calc__stats').execute({}, ctx())).output).cancelled, {
        timeout: 5000,
      })
      .toBe(before + 1);
  });
});

describe('McpToolHub failures, reloads and names', () => {
  it('skips a server that fails to start, with the reason, and keeps the others', async () => {
    const logger = recordingLogger();
    const hub = newHub(logger);
    const summaries = await hub.connect({
      broken: stdio({ env: { MCP_TEST_CRASH: '1' } } as Partial<McpServerConfig>),
      missing: { transport: 'stdio', command: '/nonexistent/hermes-mcp-server' },
      refused: { transport: 'http', url: 'http://127.0.0.1:9/mcp', connectTimeoutMs: 5000 },
      calc: stdio(),
    });
    const byName = Object.fromEntries(summaries.map((s) => [s.server, s]));
    expect(byName.calc).toMatchObject({ ok: true, tools: 4 });
    expect(byName.broken).toMatchObject({
      ok: false,
      reason: expect.stringContaining('MCP_TEST_CRASH is set'),
    });
    expect(byName.missing).toMatchObject({ ok: false, reason: expect.stringContaining('ENOENT') });
    expect(byName.refused).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/ECONNREFUSED|fetch failed/),
    });
    expect(hub.tools().every((t) => t.name.startsWith('calc__'))).toBe(true);
    const skipped = logger.lines.filter((l) => l.msg.startsWith('mcp server not started'));
    expect(skipped.map((l) => l.fields?.server).sort()).toEqual(['broken', 'missing', 'refused']);
  });

  it('gives up on a server that does not answer the handshake within the connect timeout', async () => {
    const hub = newHub();
    const [summary] = await hub.connect({
      mute: {
        transport: 'stdio',
        command: execPath,
        args: ['-e', 'setInterval(() => {}, 1000)'],
        connectTimeoutMs: 500,
      },
    });
    expect(summary).toMatchObject({ ok: false, reason: expect.stringMatching(/timed out|longer than/i) });
  });

  it('sends the configured headers to an HTTP server', async () => {
    const hub = newHub();
    http.seenHeaders.length = 0;
    await hub.connect({ calc: { transport: 'http', url: http.url, headers: { 'X-Test-Token': 'tok-123' } } });
    expect(http.seenHeaders.some((h) => h['x-test-token'] === 'tok-123')).toBe(true);
  });

  it('replaces the whole tool set on reconnect and closes the old sessions', async () => {
    const hub = newHub();
    await hub.connect({ one: { transport: 'http', url: http.url } });
    expect(http.sessions()).toBe(1);
    const summaries = await hub.connect({ two: stdio({}, ['multiply']) });
    expect(summaries).toEqual([{ server: 'two', ok: true, tools: 5, refused: [] }]);
    expect(hub.tools().map((t) => t.name)).toContain('two__multiply');
    expect(hub.tools().some((t) => t.name.startsWith('one__'))).toBe(false);
    await expect.poll(() => http.sessions(), { timeout: 5000 }).toBe(0);
    await hub.close();
    expect(hub.tools()).toEqual([]);
  });

  it('refuses a tool whose sanitised name collides, with a log line naming both', async () => {
    const logger = recordingLogger();
    const hub = newHub(logger);
    // "a.b" and "a_b" both sanitise to "a_b": the second server's tools would take the first one's names.
    const summaries = await hub.connect({ 'a.b': stdio(), a_b: stdio() });
    expect(summaries.map((s) => (s.ok ? s.tools : -1))).toEqual([4, 0]);
    expect(summaries[1]).toMatchObject({ refused: ['add', 'slow', 'fail', 'stats'] });
    const refusal = logger.lines.find((l) => l.msg.startsWith('mcp tool refused'));
    expect(refusal?.fields).toMatchObject({
      server: 'a_b',
      tool: 'add',
      name: 'a_b__add',
      takenBy: 'a.b/add',
    });
  });
});

describe('McpToolHub close', () => {
  it('ends the stdio child processes', async () => {
    const hub = newHub();
    await hub.connect({ calc: stdio() });
    const { pid } = JSON.parse((await tool(hub, 'calc__stats').execute({}, ctx())).output) as { pid: number };
    expect(() => process.kill(pid, 0)).not.toThrow();
    await hub.close();
    await expect
      .poll(
        () => {
          try {
            process.kill(pid, 0);
            return 'alive';
          } catch (error) {
            return (error as NodeJS.ErrnoException).code;
          }
        },
        { timeout: 6000 },
      )
      .toBe('ESRCH');
  });
});
