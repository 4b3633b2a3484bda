import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { mcpServerConfigs } from '../cli/build-gateway.js';
import { loadConfig } from './load.js';

const homes: string[] = [];
function load(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-mcp-config-'));
  homes.push(dir);
  writeFileSync(join(dir, 'config.yaml'), yaml);
  return () => loadConfig({ HERMES_HOME: dir });
}
afterEach(() => {
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function problems(yaml: string): string[] {
  try {
    load(yaml)();
  } catch (err) {
    if (err instanceof AggregateError) return err.errors.map((e: Error) => e.message);
    throw err;
  }
  throw new Error('expected config errors');
}

it('reads stdio and streamable HTTP servers into the agent configs, seconds as milliseconds', () => {
  const config = load(
    [
      'mcp_servers:',
      '  files:',
      '    command: npx',
      '    args: [-y, server-files, 8080]',
      '    env: { ROOT: /tmp, PORT: 8080 }',
      '    timeout_seconds: 5',
      '  remote:',
      '    url: https://mcp.example.com/mcp',
      '    headers: { Authorization: Bearer abc }',
      '    connect_timeout_seconds: 3',
      '',
    ].join('\n'),
  )();
  expect(mcpServerConfigs(config.file.mcp_servers)).toEqual({
    files: {
      transport: 'stdio',
      command: 'npx',
      args: ['-y', 'server-files', '8080'],
      env: { ROOT: '/tmp', PORT: '8080' },
      toolTimeoutMs: 5000,
    },
    remote: {
      transport: 'http',
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'Bearer abc' },
      connectTimeoutMs: 3000,
    },
  });
});

it('defaults to no servers', () => {
  expect(load('')().file.mcp_servers).toEqual({});
});

it('names an unknown key of a server with the keys it takes and a suggestion', () => {
  const [problem] = problems('mcp_servers:\n  files:\n    command: npx\n    argz: [a]\n');
  expect(problem).toMatch(/mcp_servers\.files\.argz: unknown key \(did you mean "args"\?\)/);
  expect(problem).toContain('an MCP server takes command, args, env, cwd, url, headers');
});

it('wants exactly one of command and url, and keeps stdio and HTTP keys apart', () => {
  expect(problems('mcp_servers:\n  x:\n    args: [a]\n')[0]).toMatch(
    /mcp_servers\.x: give command .* or url/,
  );
  expect(problems('mcp_servers:\n  x:\n    command: a\n    url: http://127.0.0.1:1/mcp\n')[0]).toMatch(
    /not both/,
  );
  expect(problems('mcp_servers:\n  x:\n    url: http://127.0.0.1:1/mcp\n    cwd: /tmp\n')[0]).toMatch(
    /mcp_servers\.x\.cwd: cwd is only for stdio servers/,
  );
  expect(problems('mcp_servers:\n  x:\n    command: a\n    headers: { A: b }\n')[0]).toMatch(
    /mcp_servers\.x\.headers: headers are only for url servers/,
  );
});

it('refuses a non-HTTP URL and a server name that cannot prefix tool names', () => {
  expect(problems('mcp_servers:\n  x:\n    url: ftp://example.com/mcp\n')[0]).toMatch(
    /mcp_servers\.x\.url: write an http:\/\/ or https:\/\/ URL/,
  );
  expect(problems('mcp_servers:\n  "a__b":\n    command: a\n')[0]).toMatch(
    /mcp_servers\.a__b: name an MCP server/,
  );
  expect(problems('mcp_servers:\n  "has space":\n    command: a\n')[0]).toMatch(
    /name an MCP server with 1-32/,
  );
});
