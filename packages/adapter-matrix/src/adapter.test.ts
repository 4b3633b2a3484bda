import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit';
import { createMatrixAdapter } from './adapter.js';
import { MATRIX_CAPABILITIES } from './format.js';
import { startFakeMatrixServer } from './testing/index.js';

runConformanceSuite({
  name: 'matrix (loopback fake homeserver, real matrix-js-sdk)',
  capabilities: MATRIX_CAPABILITIES,
  groupRequiresMention: true,
  timeouts: { reconnectMs: 20_000 },
  async setup() {
    const fake = await startFakeMatrixServer();
    const stateDir = mkdtempSync(join(tmpdir(), 'hermes-matrix-conf-'));
    const context = createTestContext();
    const adapter = createMatrixAdapter({
      homeserver: fake.url,
      userId: fake.botUserId,
      password: fake.botPassword,
      stateDir,
      syncTimeoutMs: 5_000,
    });
    const dm: ChatRef = { platform: 'matrix', chatId: fake.dmRoomId, chatType: 'dm' };
    const group: ChatRef = { platform: 'matrix', chatId: fake.groupRoomId, chatType: 'group' };
    const thread: ChatRef = { ...group, threadId: fake.threadRootId };
    return {
      adapter,
      context,
      chats: { dm, group, thread },
      senderId: fake.alice,
      secrets: [fake.botPassword],
      fake: fake.server,
      deliverDm: (text) => fake.deliverDm(text),
      deliverGroup: (text, o) => fake.deliverGroup(text, o),
      deliverThread: (text) => fake.deliverThread(text),
      deliverMedia: (m) => fake.deliverMedia(m),
      deliverMalformed: () => fake.deliverMalformed(),
      dropConnection: async () => {
        // Between two polls nothing is pending: cut the next one instead.
        if (fake.dropSyncs() === 0)
          fake.server.faults.next({ kind: 'drop' }, 1, { method: 'GET', path: '/_matrix/client/v3/sync' });
      },
      rateLimitNextSend: (seconds) =>
        fake.server.faults.next(
          {
            kind: 'rate-limit',
            retryAfterSeconds: seconds,
            body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: seconds * 1000 },
          },
          1,
          { method: 'PUT', path: /\/send\/m\.room\.message\// },
        ),
      sentMessages: async () => fake.sentMessages(),
      observedEdits: async () => fake.edits(),
      observedTyping: async () => fake.typing(),
      observedReactions: async () => fake.reactions(),
      observedDeletes: async () => fake.redactions(),
      openConnections: () => fake.openConnections,
      totalConnections: () => fake.totalConnections,
      async teardown() {
        await fake.close();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  },
});
