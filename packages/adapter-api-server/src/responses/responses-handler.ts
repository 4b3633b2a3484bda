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
import { resolveSession } from '../server/session.js';
import type { ResponseStore } from './response-store.js';
import { createResponsesJsonReply, createResponsesSseReply } from './responses-reply.js';
import { chatRequestOf, parseResponsesRequest } from './responses-request.js';

export interface ResponsesDeps extends ChatHandlerDeps {
  responses: ResponseStore;
}

const notFound = (id: string) => ({
  status: 404,
  type: 'invalid_request_error' as const,
  code: 'response_not_found',
  message: `No response '${id.slice(0, 100)}' is stored here (stored ones are kept in memory until a restart; store: false ones never are).`,
});

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
  const previous = request.previousResponseId ? deps.responses.get(request.previousResponseId) : undefined;
  if (request.previousResponseId && !previous)
    return refuse({ ...notFound(request.previousResponseId), param: 'previous_response_id' });
  if (req.socket.destroyed || res.destroyed) return;
  const chat = chatRequestOf(request, previous?.conversation ?? []);
  const meta = {
    instructions: request.instructions ?? null,
    previousResponseId: request.previousResponseId ?? null,
    store: request.store,
  };
  const onCompleted = (response: Parameters<typeof deps.responses.put>[0]['response'], text: string) => {
    if (!request.store) return;
    const conversation = [...chat.history, { role: 'user' as const, content: chat.text }];
    deps.responses.put({ response, conversation: [...conversation, { role: 'assistant', content: text }] });
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

/** `GET /v1/responses/{id}`: a stored response. */
export function handleGetResponse(res: ServerResponse, deps: ResponsesDeps, id: string): void {
  const stored = deps.responses.get(id);
  if (stored) sendJson(res, 200, stored.response);
  else refuserFor(res, deps.logger)(notFound(id));
}
