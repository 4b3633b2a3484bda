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

/**
 * Called with the finished response (to store it); the client hears the end once it has settled, so a
 * follow-up sent the moment the answer arrives finds the response stored. Must not reject.
 */
export type OnCompleted = (response: ResponseObject, text: string) => void | Promise<void>;

/** Runs `then` after `onCompleted` settles: at once when it answered synchronously. */
function afterStored(
  identity: CompletionIdentity,
  meta: ResponseMeta,
  completion: { itemId: string; text: string; usage: ApiServerUsage | undefined },
  onCompleted: OnCompleted,
  then: (response: ResponseObject) => void,
): void {
  const response = responseObject(identity, meta, { status: 'completed', ...completion });
  const stored = onCompleted(response, completion.text);
  if (stored instanceof Promise) void stored.then(() => then(response));
  else then(response);
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
      afterStored(identity, meta, { itemId, text, usage }, onCompleted, (response) => {
        if (!res.destroyed) sendJson(res, 200, response, headers);
      });
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
  // Between the last text event and `response.completed`, while the response is being stored.
  let storing = false;
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
      storing = true;
      afterStored(identity, meta, { itemId, text: final, usage }, onCompleted, (response) => {
        storing = false;
        event('response.completed', { response });
        end();
      });
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
      // The run is over but `response.completed` is still to come; it ends the stream itself.
      if (storing) return;
      ended = true;
      if (!res.writableEnded && !res.destroyed) res.end();
    },
  };
}
