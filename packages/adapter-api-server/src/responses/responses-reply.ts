import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '@hermes/adapter-core';
import type { ApiServerUsage, CompletionIdentity } from '../server/completion-format.js';
import { sendApiError } from '../server/openai-error.js';
import type { PreviewOutcome, ReplyWriter } from '../server/reply-writer.js';
import {
  outputMessage,
  outputText,
  type ResponseMeta,
  type ResponseObject,
  responseObject,
} from './responses-format.js';

// A host that streams the way chat platforms are streamed appends a cursor to every preview.
const TRAILING_CURSOR = /\s*▉$/u;

/** Called with the finished response (to store it) before the client hears the end. */
export type OnCompleted = (response: ResponseObject, text: string) => void;

function completed(
  identity: CompletionIdentity,
  meta: ResponseMeta,
  itemId: string,
  text: string,
  usage: ApiServerUsage | undefined,
  onCompleted: OnCompleted,
): ResponseObject {
  const response = responseObject(identity, meta, { status: 'completed', itemId, text, usage });
  onCompleted(response, text);
  return response;
}

export function createResponsesJsonReply(
  res: ServerResponse,
  identity: CompletionIdentity,
  headers: Record<string, string>,
  meta: ResponseMeta,
  onCompleted: OnCompleted,
): ReplyWriter {
  const itemId = `msg_${randomUUID().replaceAll('-', '')}`;
  return {
    preview: () => 'unchanged',
    toolProgress: () => {},
    finish(text, usage) {
      sendJson(res, 200, completed(identity, meta, itemId, text, usage, onCompleted), headers);
      return 'sent';
    },
    fail(error) {
      sendApiError(res, { ...error, headers: { ...headers, ...error.headers } });
    },
    dispose: () => {},
  };
}

/**
 * The Responses API's event stream: `response.created`, the output item and its text part opened,
 * `response.output_text.delta` for each new piece of the cumulative text, then the parts closed and
 * `response.completed` (or `response.failed`). Every event carries its `sequence_number`.
 */
export function createResponsesSseReply(
  res: ServerResponse,
  identity: CompletionIdentity,
  headers: Record<string, string>,
  meta: ResponseMeta & { keepAliveIntervalMs: number },
  onCompleted: OnCompleted,
): ReplyWriter {
  const itemId = `msg_${randomUUID().replaceAll('-', '')}`;
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  let sequence = 0;
  let emitted = '';
  let ended = false;
  const event = (type: string, payload: Record<string, unknown>) => {
    if (ended || res.destroyed) return;
    res.write(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...payload })}\n\n`,
    );
  };
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    if (!res.destroyed) res.end();
  };
  const emitUpTo = (raw: string): PreviewOutcome => {
    const text = raw.replace(TRAILING_CURSOR, '');
    if (!text.startsWith(emitted)) return 'diverged';
    const delta = text.slice(emitted.length);
    if (delta === '') return 'unchanged';
    event('response.output_text.delta', { ...at, delta, logprobs: [] });
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
  const started = responseObject(identity, meta, { status: 'in_progress' });
  event('response.created', { response: started });
  event('response.in_progress', { response: started });
  event('response.output_item.added', { output_index: 0, item: outputMessage(itemId, undefined) });
  event('response.content_part.added', { ...at, part: outputText('') });
  const keepAlive = setInterval(() => {
    if (!ended && !res.destroyed) res.write(': keep-alive\n\n');
  }, meta.keepAliveIntervalMs);
  keepAlive.unref();

  return {
    preview: (text) => emitUpTo(text),
    toolProgress: () => {},
    finish(text, usage) {
      const outcome = emitUpTo(text);
      // What the client saw is the answer, even if the host's final text diverged from the stream.
      const final = outcome === 'diverged' ? emitted : text.replace(TRAILING_CURSOR, '');
      event('response.output_text.done', { ...at, text: final, logprobs: [] });
      event('response.content_part.done', { ...at, part: outputText(final) });
      event('response.output_item.done', { output_index: 0, item: outputMessage(itemId, final) });
      event('response.completed', { response: completed(identity, meta, itemId, final, usage, onCompleted) });
      end();
      return outcome;
    },
    fail(error) {
      const failed = responseObject(identity, meta, {
        status: 'failed',
        error: { code: error.code, message: error.message },
      });
      event('response.failed', { response: failed });
      end();
    },
    dispose() {
      clearInterval(keepAlive);
      ended = true;
      if (!res.writableEnded && !res.destroyed) res.end();
    },
  };
}
