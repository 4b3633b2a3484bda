import type { ZodType } from 'zod';
import { AdapterError } from './errors.js';

export interface ParseAdapterConfigOptions {
  platform: string;
  /** How people name the platform: `<label> config is invalid: …`. */
  label: string;
  /** Said when no bad key has an env var of its own. */
  fix: string;
  /** The env var that sets each top-level key: named next to the key, and in the fix. */
  envOf?: Readonly<Record<string, string>>;
}

/**
 * Validates an adapter config against its schema. On failure: AdapterError `config_invalid` naming every
 * bad key (and the env var that sets it) with what is wrong, and which variables to set.
 */
export function parseAdapterConfig<T>(schema: ZodType<T>, input: unknown, o: ParseAdapterConfigOptions): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const envs = new Set<string>();
  const problems = result.error.issues
    .map((issue) => {
      const key = issue.path.join('.') || '(config)';
      const env = o.envOf?.[String(issue.path[0])];
      if (env) envs.add(env);
      return `${key}${env ? ` (${env})` : ''} ${issue.message}`;
    })
    .join('; ');
  throw new AdapterError('config_invalid', `${o.label} config is invalid: ${problems}`, {
    platform: o.platform,
    fix:
      envs.size > 0
        ? `Set ${[...envs].join(', ')} in ~/.hermes/.env (or platforms.${o.platform} in config.yaml).`
        : o.fix,
  });
}
