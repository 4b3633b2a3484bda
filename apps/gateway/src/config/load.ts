import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { EnvLike } from '@hermes/adapter-core';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, configErrorsFromZod } from './errors.js';
import { type HermesPaths, hermesPaths } from './paths.js';
import { type GatewayFileConfig, gatewayConfigSchema } from './schema.js';

export interface ModelSettings {
  baseURL?: string;
  apiKey?: string;
  model?: string;
}

export interface LoadedConfig {
  paths: HermesPaths;
  file: GatewayFileConfig;
  /** process env over `$HERMES_HOME/.env`: what every adapter's configFromEnv reads. */
  env: EnvLike;
  model: ModelSettings;
  /** Files that were found and read, for `hermes doctor`. */
  sources: string[];
}

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(gatewayConfigSchema.shape),
  display: ['tool_progress'],
  gateway: ['max_concurrent_runs', 'drain_timeout_seconds'],
  agent: ['system_prompt', 'max_tool_iterations', 'personality'],
  session_reset: ['mode', 'at_hour', 'idle_minutes', 'notify', 'notify_exclude_platforms'],
  model: ['name', 'default', 'base_url', 'api_key', 'provider'],
};

function readDotEnv(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new ConfigError(path, '', `cannot be parsed as KEY=value lines: ${(err as Error).message}`);
  }
}

function readYamlConfig(path: string): unknown {
  if (!existsSync(path)) return {};
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new ConfigError(path, '', `is not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError(path, '', 'must be a mapping of keys to values');
  return doc;
}

function modelSettings(file: GatewayFileConfig, env: EnvLike): ModelSettings {
  const fromFile = typeof file.model === 'string' ? { name: file.model } : (file.model ?? {});
  const out: ModelSettings = {};
  const baseURL = env.OPENAI_BASE_URL || fromFile.base_url;
  const apiKey = env.OPENAI_API_KEY || fromFile.api_key;
  const model = env.HERMES_MODEL || fromFile.name || fromFile.default;
  if (baseURL) out.baseURL = baseURL;
  if (apiKey) out.apiKey = apiKey;
  if (model) out.model = model;
  return out;
}

/**
 * Loads `$HERMES_HOME/config.yaml`, `$HERMES_HOME/.env` and the process env (env wins over .env).
 * Throws an AggregateError of ConfigErrors when anything is wrong, each naming the file and the key.
 */
export function loadConfig(processEnv: EnvLike = process.env): LoadedConfig {
  const paths = hermesPaths(processEnv);
  const sources: string[] = [];
  const dotenv = readDotEnv(paths.env);
  if (existsSync(paths.env)) sources.push(paths.env);
  const env: EnvLike = { ...dotenv, ...processEnv };
  const raw = readYamlConfig(paths.config);
  if (existsSync(paths.config)) sources.push(paths.config);
  const parsed = gatewayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = configErrorsFromZod(paths.config, parsed.error, (p) => KNOWN_KEYS[p.join('.')] ?? []);
    throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
  }
  return { paths, file: parsed.data, env, model: modelSettings(parsed.data, env), sources };
}
