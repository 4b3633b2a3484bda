import type { ServerResponse } from 'node:http';
import {
  type CompletionIdentity,
  completionChunk,
  toolProgressChunk,
  usageChunk,
} from './completion-format.js';
import { openAiErrorBody } from './openai-error.js';
import type { PreviewOutcome, ReplyWriter } from './reply-writer.js';

// A host that streams the way chat platforms are streamed appends a cursor to every preview; it is
// never part of the reply.
const TRAILING_CURSOR = /\s*▉$/u;

export interface SseReplyOptions {
  includeUsage: boolean;
  keepAliveIntervalMs: number;
}

/**
 * Opens the SSE response at once (so the client sees the stream start while the agent thinks) and
 * turns cumulative reply text into `delta.content` chunks: only what was not sent yet goes out.
 */
export function createSseReply(
  res: ServerResponse,
  identity: CompletionIdentity,
  headers: Record<string, string>,
  options: SseReplyOptions,
): ReplyWriter {
  let emitted = '';
  let ended = false;
  const write = (text: string) => {
    if (!ended && !res.destroyed) res.write(text);
  };
  const data = (payload: unknown) => write(`data: ${JSON.stringify(payload)}\n\n`);
  const end = () => {
    if (ended) return;
    write('data: [DONE]\n\n');
    ended = true;
    clearInterval(keepAlive);
    if (!res.destroyed) res.end();
  };
  const emitUpTo = (raw: string): PreviewOutcome => {
    const text = raw.replace(TRAILING_CURSOR, '');
    if (!text.startsWith(emitted)) return 'diverged';
    const delta = text.slice(emitted.length);
    if (delta === '') return 'unchanged';
    data(completionChunk(identity, { content: delta }, null));
    emitted = text;
    return 'sent';
  };

  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  data(completionChunk(identity, { role: 'assistant', content: '' }, null));
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), options.keepAliveIntervalMs);
  keepAlive.unref();

  return {
    preview: (text) => emitUpTo(text),
    toolProgress(progress) {
      write(
        `event: hermes.tool.progress\ndata: ${JSON.stringify(toolProgressChunk(identity, progress))}\n\n`,
      );
    },
    finish(text, usage) {
      const outcome = emitUpTo(text);
      data(completionChunk(identity, {}, 'stop'));
      if (options.includeUsage) data(usageChunk(identity, usage ?? null));
      end();
      return outcome;
    },
    fail(error) {
      data(openAiErrorBody(error));
      end();
    },
    dispose() {
      clearInterval(keepAlive);
      ended = true;
      if (!res.writableEnded && !res.destroyed) res.end();
    },
  };
}
