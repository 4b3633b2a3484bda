import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardRest, sendJson } from '@hermes/adapter-core';
import {
  acceptModel,
  badRequest,
  type ChatHandlerDeps,
  readJsonBody,
  refuserFor,
  startRun,
} from '../server/chat-handler.js';
import { isJsonContentType } from '../server/content-type.js';
import type { ApiErrorSpec } from '../server/openai-error.js';
import { resolveSession } from '../server/session.js';
import type { ApiServerResponseStore, ApiServerStoredResponse } from './response-store.js';
import { createResponsesJsonReply, createResponsesSseReply } from './responses-reply.js';
import { chatRequestOf, parseResponsesRequest } from './responses-request.js';

export interface ResponsesDeps extends ChatHandlerDeps {
  responses: ApiServerResponseStore;
  /** Whose responses a request may read: see `responseScope`. */
  responseScope: string;
}

function retentionWords(deps: ResponsesDeps): string {
  const days = deps.config.storedResponseMaxAgeMs / 86_400_000;
  const age = days >= 1 ? `${Math.round(days * 10) / 10} days` : `${Math.round(days * 24 * 10) / 10} hours`;
  return `the newest ${deps.config.maxStoredResponses} are kept, for ${age}`;
}

// One message whatever the reason, so a caller cannot tell "another key's" from "never existed".
const notFound = (deps: ResponsesDeps, id: string, code: string, param?: string): ApiErrorSpec => ({
  status: 404,
  type: 'invalid_request_error',
  code,
  ...(param === undefined ? {} : { param }),
  message: `No stored response '${id.slice(0, 100)}': it was created with store: false, has expired (${retentionWords(deps)}), was stored with another API key, or never existed. ${param === undefined ? 'Store responses (store: true, the default) to read them back.' : 'Send the earlier conversation in input instead, or continue from a response that is still stored.'}`,
});

const storeFailed = (): ApiErrorSpec => ({
  status: 503,
  type: 'server_error',
  code: 'response_store_unavailable',
  message: 'Stored responses cannot be read right now; retry, or send the conversation in input.',
  headers: { 'retry-after': '5' },
});

// A store that hangs must not hold a request (or the end of an answer) forever.
const STORE_TIMEOUT_MS = 10_000;

async function withinTimeout<T>(work: T | Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the response store did not ${what} within 10 s`)),
      STORE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The stored response, undefined when there is none, or null when the store failed (logged). */
async function lookUp(deps: ResponsesDeps, id: string): Promise<ApiServerStoredResponse | undefined | null> {
  try {
    return await withinTimeout(deps.responses.get(id, deps.responseScope), 'answer');
  } catch (error) {
    deps.logger.error('api_server could not read a stored response', { error });
    return null;
  }
}

/**
 * `POST /v1/responses`: the same run as a chat completion (slot, host turn, streaming), with the
 * conversation taken from the `previous_response_id` chain and the answer in the Responses format.
 */
export async function handleCreateResponse(req: IncomingMessage, res: ServerResponse, deps: ResponsesDeps) {
  const { config } = deps;
  const refuse = refuserFor(res, deps.logger);
  if (!isJsonContentType(req.headers['content-type'])) {
    discardRest(req);
    return refuse({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_media_type',
      message: 'The request body must be JSON: send it with Content-Type: application/json.',
    });
  }
  const resolved = resolveSession(req.headers);
  if (!resolved.ok) {
    discardRest(req);
    return refuse(badRequest('invalid_session', `${resolved.header} ${resolved.message}`));
  }
  const json = await readJsonBody(req, res, config, refuse);
  if (json === undefined) return;
  const parsed = parseResponsesRequest(json.value);
  if (!parsed.ok) return refuse(badRequest('invalid_request', parsed.message, parsed.param));
  const request = parsed.request;
  if (!acceptModel(request.model, config, refuse)) return;
  let previous: ApiServerStoredResponse | undefined;
  if (request.previousResponseId !== undefined) {
    const found = await lookUp(deps, request.previousResponseId);
    if (found === null) return refuse(storeFailed());
    if (found === undefined)
      return refuse(
        notFound(deps, request.previousResponseId, 'previous_response_not_found', 'previous_response_id'),
      );
    previous = found;
  }
  if (req.socket.destroyed || res.destroyed) return;
  const chat = chatRequestOf(request, previous?.conversation ?? []);
  const meta = {
    instructions: request.instructions ?? null,
    previousResponseId: request.previousResponseId ?? null,
    store: request.store,
  };
  // Awaited before the client hears the end, so it can chain from the response at once.
  const onCompleted = async (response: ApiServerStoredResponse['response'], text: string) => {
    if (!request.store) return;
    const conversation: ApiServerStoredResponse['conversation'] = [
      ...chat.history,
      { role: 'user', content: chat.text },
      { role: 'assistant', content: text },
    ];
    try {
      await withinTimeout(deps.responses.put({ response, conversation }, deps.responseScope), 'store it');
    } catch (error) {
      // The answer still goes out: the turn has run, and losing its text would be worse than a later 404.
      deps.logger.error('api_server could not store a response', { responseId: response.id, error });
    }
  };
  startRun(req, res, deps, resolved.session, chat, refuse, {
    idPrefix: 'resp_',
    writerFor: (identity, headers) =>
      request.stream
        ? createResponsesSseReply(
            res,
            identity,
            headers,
            { ...meta, keepAliveIntervalMs: config.keepAliveIntervalMs },
            onCompleted,
          )
        : createResponsesJsonReply(res, identity, headers, meta, onCompleted),
  });
}

/** `GET /v1/responses/{id}`: a stored response of this caller's scope. */
export async function handleGetResponse(res: ServerResponse, deps: ResponsesDeps, id: string): Promise<void> {
  const refuse = refuserFor(res, deps.logger);
  const stored = await lookUp(deps, id);
  if (res.destroyed) return;
  if (stored === null) return refuse(storeFailed());
  if (stored === undefined) return refuse(notFound(deps, id, 'response_not_found'));
  sendJson(res, 200, stored.response);
}
