export interface ModelSettings {
  baseURL?: string;
  apiKey?: string;
  model?: string;
}

export type ModelConfigStatus =
  | { configured: true; baseURL: string; apiKey: string; model: string }
  | { configured: false; missing: string[]; notice: string };

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * A model is usable with a model name plus either a key (default OpenAI endpoint) or a base URL (local
 * servers such as Ollama or vLLM often need no key; the client still wants a non-empty one).
 */
export function resolveModelConfig(s: ModelSettings): ModelConfigStatus {
  const baseURL = s.baseURL?.trim();
  const apiKey = s.apiKey?.trim();
  const model = s.model?.trim();
  const missing: string[] = [];
  if (!model) missing.push('HERMES_MODEL');
  if (!baseURL && !apiKey) missing.push('OPENAI_API_KEY or OPENAI_BASE_URL');
  if (model && (baseURL || apiKey)) {
    return {
      configured: true,
      baseURL: baseURL || OPENAI_DEFAULT_BASE_URL,
      apiKey: apiKey || 'not-needed',
      model,
    };
  }
  return { configured: false, missing, notice: noModelNotice(missing) };
}

export function noModelNotice(missing: readonly string[]): string {
  return (
    'No model is configured, so I cannot answer yet. ' +
    'Set OPENAI_BASE_URL (your OpenAI-compatible endpoint), OPENAI_API_KEY and HERMES_MODEL ' +
    '(or `model:` in config.yaml), then restart the gateway.' +
    (missing.length ? ` Missing: ${missing.join(', ')}.` : '')
  );
}
