import { AdapterError, adapterErrorFromHttpStatus, type Logger, toAdapterError } from '@hermes/adapter-core';
import { SIGNAL_PLATFORM } from './constants.js';
import { isRecord } from './envelope.js';
import { type JsonRpcErrorBody, signalRpcError } from './rpc-errors.js';

export interface SignalRpcOptions {
  baseUrl: string;
  account: string;
  timeoutMs: number;
  /** Largest answer accepted (getAttachment carries a whole file in base64). */
  maxResponseBytes: number;
  logger: Logger;
}

export interface SignalCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Safe to repeat: transport failures after the request left are then retryable, not ambiguous. */
  idempotent?: boolean;
}

// Failures that happen before a byte of the request is written: nothing reached the daemon.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/** JSON-RPC 2.0 over `POST /api/v1/rpc`. Never retries: the send pacer decides that from the error code. */
export class SignalRpcClient {
  readonly #o: SignalRpcOptions;
  #nextId = 1;

  constructor(options: SignalRpcOptions) {
    this.#o = options;
  }

  async call(
    method: string,
    params: Record<string, unknown>,
    options: SignalCallOptions = {},
  ): Promise<unknown> {
    const idempotent = options.idempotent ?? false;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#o.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const id = this.#nextId++;
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id,
      method,
      params: { ...params, account: this.#o.account },
    });
    let response: Response;
    try {
      response = await fetch(new URL('/api/v1/rpc', this.#o.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal,
      });
    } catch (error) {
      throw this.#transportError(method, error, signal, timeout, idempotent);
    }
    const text = await this.#readBody(method, response, signal, timeout, idempotent);
    if (response.status !== 200) throw this.#httpError(method, response, text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AdapterError(
        'protocol',
        `signal-cli ${method}: the answer is not JSON (HTTP ${response.status})`,
        {
          platform: SIGNAL_PLATFORM,
          retryable: idempotent,
          fix: `Check that ${this.#o.baseUrl} is signal-cli's HTTP daemon (signal-cli daemon --http).`,
        },
      );
    }
    if (!isRecord(parsed)) {
      throw new AdapterError('protocol', `signal-cli ${method}: the answer is not a JSON-RPC object`, {
        platform: SIGNAL_PLATFORM,
        retryable: idempotent,
      });
    }
    const error = parsed['error'];
    if (isRecord(error)) {
      const rpcError: JsonRpcErrorBody = {
        code: typeof error['code'] === 'number' ? error['code'] : 0,
        message: typeof error['message'] === 'string' ? error['message'] : 'no message',
        data: error['data'],
      };
      throw signalRpcError(method, rpcError, idempotent);
    }
    if (!('result' in parsed)) {
      throw new AdapterError('protocol', `signal-cli ${method}: the answer has neither result nor error`, {
        platform: SIGNAL_PLATFORM,
        retryable: idempotent,
      });
    }
    return parsed['result'];
  }

  async #readBody(
    method: string,
    response: Response,
    signal: AbortSignal,
    timeout: AbortSignal,
    idempotent: boolean,
  ): Promise<string> {
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > this.#o.maxResponseBytes) {
      await response.body?.cancel().catch(() => {});
      throw new AdapterError(
        'too_large',
        `signal-cli ${method}: answer of ${declared} bytes is over the limit`,
        {
          platform: SIGNAL_PLATFORM,
        },
      );
    }
    try {
      return await response.text();
    } catch (error) {
      throw this.#transportError(method, error, signal, timeout, idempotent);
    }
  }

  #httpError(method: string, response: Response, text: string): AdapterError {
    const retryAfter = Number(response.headers.get('retry-after'));
    const detail = text.trim() === '' ? '' : `: ${text.trim().slice(0, 200)}`;
    if (response.status === 421) {
      return new AdapterError(
        'config_invalid',
        `signal-cli ${method}: HTTP 421, the daemon refused our Host header`,
        {
          platform: SIGNAL_PLATFORM,
          fix: 'signal-cli pins the Host header to the address it listens on: use that address in SIGNAL_HTTP_URL.',
        },
      );
    }
    return adapterErrorFromHttpStatus(
      response.status,
      `signal-cli ${method}: HTTP ${response.status}${detail}`,
      {
        platform: SIGNAL_PLATFORM,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      },
    );
  }

  #transportError(
    method: string,
    error: unknown,
    signal: AbortSignal,
    timeout: AbortSignal,
    idempotent: boolean,
  ): AdapterError {
    if (timeout.aborted) {
      return new AdapterError(
        idempotent ? 'network' : 'timeout_ambiguous',
        `signal-cli ${method}: no answer within the timeout`,
        { platform: SIGNAL_PLATFORM, cause: error, retryable: idempotent },
      );
    }
    if (signal.aborted)
      return new AdapterError('aborted', `signal-cli ${method}: aborted`, { platform: SIGNAL_PLATFORM });
    const code = causeCode(error);
    if ((code !== undefined && NOT_SENT.has(code)) || idempotent) {
      return new AdapterError(
        'network',
        `signal-cli ${method}: cannot reach ${this.#o.baseUrl} (${code ?? 'no code'})`,
        {
          platform: SIGNAL_PLATFORM,
          cause: error,
          fix: 'Start the daemon: signal-cli -a <account> daemon --http 127.0.0.1:8080',
        },
      );
    }
    const wrapped = toAdapterError(error, SIGNAL_PLATFORM);
    // The request may have reached the daemon before the connection broke: resending could duplicate it.
    return new AdapterError(
      'timeout_ambiguous',
      `signal-cli ${method}: connection lost mid-request (${wrapped.message})`,
      {
        platform: SIGNAL_PLATFORM,
        cause: error,
      },
    );
  }
}
