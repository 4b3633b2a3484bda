import { expect, it } from 'vitest';
import { mcpToolName, TOOL_NAME_RULE } from './tool-names.js';

it('joins server and tool with __ and keeps OpenAI-legal characters', () => {
  expect(mcpToolName('github', 'create_issue')).toBe('github__create_issue');
  expect(mcpToolName('my files', 'read.file/v2')).toBe('my_files__read_file_v2');
});

it('cuts names to 64 characters so the provider accepts them', () => {
  const name = mcpToolName('server', 'x'.repeat(100));
  expect(name).toHaveLength(64);
  expect(TOOL_NAME_RULE.test(name)).toBe(true);
});

it('never yields an empty part', () => {
  expect(mcpToolName('', '')).toBe('____');
});
