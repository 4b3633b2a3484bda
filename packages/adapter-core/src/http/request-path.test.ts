import { describe, expect, it } from 'vitest';
import { requestPath } from './request-path.js';

describe('requestPath', () => {
  it.each([
    ['/webhooks/gh', '/webhooks/gh'],
    ['/webhooks/gh?x=1&y=[2]', '/webhooks/gh'],
    ['/a/../health', '/health'],
    ['/v1/chat%2Fcompletions', '/v1/chat%2Fcompletions'],
    ['/users/@me:1', '/users/@me:1'],
    ['//evil.example/webhooks/gh', '//evil.example/webhooks/gh'],
    ['http://example.com/webhooks/gh?x', '/webhooks/gh'],
  ])('%j has the path %j', (url, path) => {
    expect(requestPath({ url })).toBe(path);
  });

  it.each(['//[::1', '/[x]', '/with space', '/bad%zz', '*', '', 'example.com/x', 'http://[::1', 'ftp://x/y'])(
    '%j is not a path it can read: undefined, never a throw',
    (url) => {
      expect(requestPath({ url })).toBeUndefined();
    },
  );
});
