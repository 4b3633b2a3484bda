import type { ApiServerConfig } from '../config.js';

/** The served model name or one of its aliases. Names are compared exactly, as OpenAI compares model ids. */
export function servesModel(
  config: Pick<ApiServerConfig, 'modelName' | 'modelAliases'>,
  name: string,
): boolean {
  return name === config.modelName || config.modelAliases.includes(name);
}
