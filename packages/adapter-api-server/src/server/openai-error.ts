import type { ServerResponse } from 'node:http';
import { sendJson } from '@hermes/adapter-core';

/** The `type` values OpenAI uses; clients switch on them. */
export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'timeout_error';

export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; code: string; param?: string | null };
}

export interface ApiErrorSpec {
  status: number;
  message: string;
  type: OpenAiErrorType;
  code: string;
  param?: string;
  headers?: Record<string, string>;
}

export function openAiErrorBody(spec: ApiErrorSpec): OpenAiErrorBody {
  return { error: { message: spec.message, type: spec.type, code: spec.code, param: spec.param ?? null } };
}

/** Every error this server answers with has the OpenAI shape `{error:{message,type,code}}`. */
export function sendApiError(res: ServerResponse, spec: ApiErrorSpec): void {
  sendJson(res, spec.status, openAiErrorBody(spec), spec.headers);
}
