import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { EnvLike } from '@hermes/adapter-core';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { checkDotEnv } from './dotenv-check.js';
import { ConfigError, configErrorsFromZod, HomeError } from './errors.js';
import { type HermesPaths, hermesPaths, homeProblem } from './paths.js';
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
  gateway: ['max_concurrent_runs', 'drain_timeout_seconds', 'allow_admin_from'],
  agent: ['system_prompt', 'max_tool_iterations', 'personality'],
  session_reset: ['mode', 'at_hour', 'idle_minutes', 'notify', 'notify_exclude_platforms'],
  model: ['name', 'default', 'base_url', 'api_key', 'provider'],
};

/** `.env` as KEY=value pairs, with every bad line reported (file and line) rather than skipped. */
function readDotEnv(path: string, errors: Error[]): Record<string, string> {
  if (!existsSync(path)) return {};
  let text: string;
  try {
    // A byte-order mark (Windows editors) would otherwise become part of the first name.
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    errors.push(
      new ConfigError(
        path,
        '',
        `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check its permissions`,
      ),
    );
    return {};
  }
  const problems = checkDotEnv(path, text);
  if (problems.length > 0) {
    errors.push(...problems);
    return {};
  }
  return parseEnv(text) as Record<string, string>;
}

function readYamlConfig(path: string, errors: Error[]): unknown {
  if (!existsSync(path)) return {};
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    errors.push(
      new ConfigError(path, '', `is not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`),
    );
    return undefined;
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    errors.push(new ConfigError(path, '', 'must be a mapping of keys to values'));
    return undefined;
  }
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
 * Throws a HomeError when HERMES_HOME itself is unusable, otherwise an AggregateError of every ConfigError
 * found in both files, each naming the file, the line or key, and the fix.
 */
export function loadConfig(processEnv: EnvLike = process.env): LoadedConfig {
  const paths = hermesPaths(processEnv);
  const homeIssue = homeProblem(paths.home);
  if (homeIssue) throw new HomeError(paths.home, homeIssue);
  const errors: Error[] = [];
  const sources: string[] = [];
  const dotenv = readDotEnv(paths.env, errors);
  if (existsSync(paths.env)) sources.push(paths.env);
  const env: EnvLike = { ...dotenv, ...processEnv };
  const raw = readYamlConfig(paths.config, errors);
  if (existsSync(paths.config)) sources.push(paths.config);
  const parsed = raw === undefined ? undefined : gatewayConfigSchema.safeParse(raw);
  if (parsed && !parsed.success)
    errors.push(...configErrorsFromZod(paths.config, parsed.error, (p) => KNOWN_KEYS[p.join('.')] ?? []));
  if (errors.length > 0 || !parsed?.success)
    throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
  return { paths, file: parsed.data, env, model: modelSettings(parsed.data, env), sources };
}
