import type { ServerResponse } from 'node:http';
import { sendJson } from '@hermes/adapter-core';
import {
  type ApiServerToolProgress,
  type ApiServerUsage,
  type CompletionIdentity,
  chatCompletion,
} from './completion-format.js';
import { type ApiErrorSpec, sendApiError } from './openai-error.js';

/** Where one run's answer goes: a JSON body or an SSE stream. */
export interface ReplyWriter {
  /** The reply so far (cumulative). A stream emits what is new; a JSON reply only remembers it. */
  preview(text: string): PreviewOutcome;
  toolProgress(progress: ApiServerToolProgress): void;
  /** The final reply: ends the response. */
  finish(text: string, usage: ApiServerUsage | undefined): PreviewOutcome;
  /** Ends the response with an error; a stream that already started reports it in-band. */
  fail(error: ApiErrorSpec): void;
  /** Stops timers; called once the run is over, however it ended. */
  dispose(): void;
}

/** `diverged`: the text does not extend what was already streamed, so the new part could not be sent. */
export type PreviewOutcome = 'sent' | 'unchanged' | 'diverged';

export function createJsonReply(
  res: ServerResponse,
  identity: CompletionIdentity,
  headers: Record<string, string>,
): ReplyWriter {
  return {
    preview: () => 'unchanged',
    toolProgress: () => {},
    finish(text, usage) {
      sendJson(res, 200, chatCompletion(identity, text, usage), headers);
      return 'sent';
    },
    fail(error) {
      sendApiError(res, { ...error, headers: { ...headers, ...error.headers } });
    },
    dispose: () => {},
  };
}
