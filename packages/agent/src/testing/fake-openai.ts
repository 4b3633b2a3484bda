import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeStep } from './steps.js';
import {
  ChunkWriter,
  type CompletionMeta,
  completionId,
  fragments,
  openAIErrorBody,
  wholeCompletion,
  wireToolCalls,
  wireUsage,
} from './wire.js';

/** A chat-completions request body as the fake received it. */
export interface FakeChatRequest {
  model: string;
  messages: Array<{ role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  tool_choice?: unknown;
  reasoning_effort?: string;
  [key: string]: unknown;
}

export interface FakeOpenAIRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: FakeChatRequest;
  receivedAt: number;
}

/** Answers a request when the script is empty. */
export type FakeResponder = (request: FakeChatRequest) => FakeStep | FakeStep[];

export interface FakeOpenAIOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get OpenAI's 401. */
  apiKey?: string;
  /** Listed by GET /v1/models. Default ['fake-model']. */
  models?: string[];
  respond?: FakeResponder;
}

export interface FakeOpenAI {
  /** http://127.0.0.1:PORT/v1: pass as the client's baseURL. */
  baseURL: string;
  port: number;
  /** Queue answers; each chat request takes the next (after any `delay` steps before it). */
  script(...steps: FakeStep[]): void;
  setDefault(respond: FakeResponder): void;
  /** Every chat-completions request received, in order. */
  readonly requests: FakeOpenAIRequest[];
  /** Scripted steps not used yet. */
  pending(): number;
  waitForRequests(count: number, timeoutMs?: number): Promise<FakeOpenAIRequest[]>;
  close(): Promise<void>;
}

const BODY_LIMIT = 20 * 1024 * 1024;

export function lastUserText(request: FakeChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) {
      return m.content
        .map((p: { type?: string; text?: string }) => (p?.type === 'text' ? (p.text ?? '') : ''))
        .join('');
    }
  }
  return '';
}

/** Default answer: "Echo: <last user message>", streamed word by word when streaming was asked for. */
export const echoResponder: FakeResponder = (request) => {
  const words = `Echo: ${lastUserText(request)}`.split(/(?<= )/);
  return { kind: 'stream', chunks: words };
};

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': `req_${Date.now().toString(36)}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > BODY_LIMIT) {
        reject(new Error('body too large'));
        req.destroy();
      } else parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function authorized(header: string | undefined, key: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(key);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Resolves after `ms`, or early (false) if the client went away. */
function pause(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

function promptText(body: FakeChatRequest): string {
  return JSON.stringify(body.messages ?? []);
}

async function answer(step: FakeStep, body: FakeChatRequest, res: ServerResponse): Promise<void> {
  const meta: CompletionMeta = {
    id: completionId(),
    model: body.model,
    created: Math.floor(Date.now() / 1000),
  };
  if (step.kind === 'error') {
    send(
      res,
      step.status,
      openAIErrorBody(step.message, step.type, step.code ?? null, step.param ?? null),
      step.headers,
    );
    return;
  }
  if (step.kind === 'hang') {
    await new Promise<void>((resolve) => res.once('close', () => resolve()));
    return;
  }
  if (step.kind === 'delay') return; // consumed by the caller
  if (!body.stream) {
    sendWhole(step, body, meta, res);
    return;
  }
  await sendStream(step, body, meta, res);
}

function sendWhole(
  step: Exclude<FakeStep, { kind: 'error' | 'hang' | 'delay' }>,
  body: FakeChatRequest,
  meta: CompletionMeta,
  res: ServerResponse,
): void {
  if (step.kind === 'stream-error') {
    send(res, 500, openAIErrorBody(step.message, step.type ?? 'server_error', step.code ?? null));
    return;
  }
  if (step.kind === 'tool-calls') {
    const calls = wireToolCalls(step.calls);
    const args = calls.map((c) => c.function.arguments).join('');
    const usage = wireUsage(promptText(body), (step.text ?? '') + args, step.usage);
    send(
      res,
      200,
      wholeCompletion(meta, { content: step.text ?? null, tool_calls: calls }, 'tool_calls', usage),
    );
    return;
  }
  const text = step.kind === 'text' ? step.text : step.chunks.join('');
  const finish = step.kind === 'text' ? (step.finishReason ?? 'stop') : 'stop';
  send(
    res,
    200,
    wholeCompletion(meta, { content: text }, finish, wireUsage(promptText(body), text, step.usage)),
  );
}

async function sendStream(
  step: Exclude<FakeStep, { kind: 'error' | 'hang' | 'delay' }>,
  body: FakeChatRequest,
  meta: CompletionMeta,
  res: ServerResponse,
): Promise<void> {
  const w = new ChunkWriter(meta, body.stream_options?.include_usage === true);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': `req_${Date.now().toString(36)}`,
  });
  const emit = (data: unknown) => {
    if (!res.destroyed) res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  };
  emit(w.role());
  let completion = '';
  let finish = 'stop';
  if (step.kind === 'stream') {
    for (const r of step.reasoning ?? []) emit(w.reasoning(r));
    for (const chunk of step.chunks) {
      if (step.delayMs && !(await pause(step.delayMs, res))) return;
      emit(w.content(chunk));
      completion += chunk;
    }
  } else if (step.kind === 'text') {
    if (step.text) emit(w.content(step.text));
    completion = step.text;
    finish = step.finishReason ?? 'stop';
  } else if (step.kind === 'tool-calls') {
    if (step.text) emit(w.content(step.text));
    completion = step.text ?? '';
    wireToolCalls(step.calls).forEach((call, index) => {
      emit(w.toolCallStart(index, call));
      for (const f of fragments(call.function.arguments, step.fragmentSize ?? 8))
        emit(w.toolCallArguments(index, f));
      completion += call.function.arguments;
    });
    finish = 'tool_calls';
  } else {
    for (const chunk of step.chunks) emit(w.content(chunk));
    emit(openAIErrorBody(step.message, step.type ?? 'server_error', step.code ?? null));
    res.end();
    return;
  }
  emit(w.finish(finish));
  if (body.stream_options?.include_usage) {
    const usage =
      step.kind === 'stream' || step.kind === 'text' || step.kind === 'tool-calls' ? step.usage : undefined;
    emit(w.usage(wireUsage(promptText(body), completion, usage)));
  }
  emit('[DONE]');
  res.end();
}

/** A loopback OpenAI-compatible chat-completions server that answers from a script. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const queue: FakeStep[] = [];
  const requests: FakeOpenAIRequest[] = [];
  const waiters = new Set<() => void>();
  let respond = options.respond ?? echoResponder;
  const models = options.models ?? ['fake-model'];

  const nextSteps = (body: FakeChatRequest): FakeStep[] => {
    const delays: FakeStep[] = [];
    while (queue[0]?.kind === 'delay') delays.push(queue.shift()!);
    const scripted = queue.shift();
    if (scripted) return [...delays, scripted];
    const fallback = respond(body);
    return [...delays, ...(Array.isArray(fallback) ? fallback : [fallback])];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (options.apiKey && !authorized(req.headers.authorization, options.apiKey)) {
      send(
        res,
        401,
        openAIErrorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
      );
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      send(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'hermes-fake' })),
      });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      send(
        res,
        404,
        openAIErrorBody(
          `Unknown request URL: ${req.method} ${path}.`,
          'invalid_request_error',
          'unknown_url',
        ),
      );
      return;
    }
    let body: FakeChatRequest;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as FakeChatRequest;
      if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) throw new Error('shape');
    } catch {
      send(
        res,
        400,
        openAIErrorBody('We could not parse the JSON body of your request.', 'invalid_request_error'),
      );
      return;
    }
    requests.push({ method: req.method, path, headers: req.headers, body, receivedAt: Date.now() });
    for (const wake of [...waiters]) wake();
    for (const s of nextSteps(body)) {
      if (s.kind === 'delay') {
        if (!(await pause(s.ms, res))) return;
        continue;
      }
      await answer(s, body, res);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, openAIErrorBody('fake server failure', 'server_error')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    script: (...steps) => {
      queue.push(...steps);
    },
    setDefault: (r) => {
      respond = r;
    },
    requests,
    pending: () => queue.length,
    waitForRequests(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          cleanup();
          resolve(requests.slice(0, count));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `fake OpenAI: expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
