import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AdapterContext,
  type AdapterStatus,
  createMemoryLogger,
  type InboundAction,
  type InboundMessage,
  MediaCache,
  type MemoryLogger,
} from '@hermes/adapter-core';
import { DEFAULT_WAIT_MS, waitFor } from './wait-for.js';

export interface TestContextOptions {
  logger?: MemoryLogger;
  /** Use this folder as the media cache; the caller owns it and cleanup() leaves it in place. */
  mediaDir?: string;
}

export interface StatusChange {
  status: AdapterStatus;
  detail?: string;
  at: number;
}

export interface TestContext {
  /** Hand this to `adapter.start()`. */
  ctx: AdapterContext;
  /** Everything the adapter passed to `ctx.receive`, in order. */
  received: InboundMessage[];
  /** Every button press the adapter passed to `ctx.receiveAction`, in order. */
  actions: InboundAction[];
  /** Every status the adapter reported, in order. */
  statuses: AdapterStatus[];
  /** The same statuses with their detail text and time. */
  statusLog: StatusChange[];
  logger: MemoryLogger;
  /** Resolves with the first received message (already received or future) that matches. */
  waitForReceived(match?: (msg: InboundMessage) => boolean, timeoutMs?: number): Promise<InboundMessage>;
  /** Resolves with the first button press (already received or future) that matches. */
  waitForAction(match?: (action: InboundAction) => boolean, timeoutMs?: number): Promise<InboundAction>;
  /** Aborts `ctx.signal`, as the host does on shutdown. */
  abort(): void;
  /** Aborts the signal and removes the temp media folder (idempotent). */
  cleanup(): Promise<void>;
}

/** An AdapterContext that records what the adapter hands to the host, for tests. */
export function createTestContext(options: TestContextOptions = {}): TestContext {
  const logger = options.logger ?? createMemoryLogger();
  const ownsDir = options.mediaDir === undefined;
  // The media cache sits one level down, as under $HERMES_HOME: adapters keep their state next to it
  // (`dirname(mediaCache.dir)/<platform>`), which must be this context's own folder, not the shared /tmp.
  const root = ownsDir ? mkdtempSync(join(tmpdir(), 'hermes-testkit-')) : undefined;
  const dir = options.mediaDir ?? join(root!, 'cache');
  if (root) mkdirSync(dir, { mode: 0o700 });
  const controller = new AbortController();
  const received: InboundMessage[] = [];
  const actions: InboundAction[] = [];
  const statuses: AdapterStatus[] = [];
  const statusLog: StatusChange[] = [];
  let cleaned: Promise<void> | undefined;

  const ctx: AdapterContext = {
    receive: (msg) => {
      received.push(msg);
    },
    receiveAction: (action) => {
      actions.push(action);
    },
    status: (status, detail) => {
      statuses.push(status);
      statusLog.push(detail === undefined ? { status, at: Date.now() } : { status, detail, at: Date.now() });
    },
    logger,
    mediaCache: new MediaCache({ dir, logger }),
    signal: controller.signal,
  };

  return {
    ctx,
    received,
    actions,
    statuses,
    statusLog,
    logger,
    waitForAction(match = () => true, timeoutMs = DEFAULT_WAIT_MS) {
      return waitFor(() => actions.find(match), {
        timeoutMs,
        what: 'a matching button press in ctx.receiveAction',
      });
    },
    async waitForReceived(match = () => true, timeoutMs = DEFAULT_WAIT_MS) {
      try {
        return await waitFor(() => received.find(match), {
          timeoutMs,
          what: 'a matching message in ctx.receive',
        });
      } catch (error) {
        const texts = received.map((m) => JSON.stringify(m.text.slice(0, 40))).join(', ');
        throw new Error(
          `${(error as Error).message}; received ${received.length} message(s)${texts ? `: ${texts}` : ''}`,
        );
      }
    },
    abort: () => controller.abort(),
    cleanup() {
      cleaned ??= (async () => {
        controller.abort();
        if (root) await rm(root, { recursive: true, force: true });
      })();
      return cleaned;
    },
  };
}
