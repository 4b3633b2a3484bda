import type { EnvLike, PlatformAdapter, PlatformDescriptor } from '@hermes/adapter-core';
import type { GatewayFileConfig } from '../config/schema.js';

export interface CatalogEntry {
  platform: string;
  /** Imported only when the platform is enabled, so an unused SDK never loads. */
  load(): Promise<PlatformDescriptor<unknown>>;
}

const asDescriptor = (d: unknown) => d as PlatformDescriptor<unknown>;

/** One line per platform package: this is the only host edit a new platform needs. */
export const PLATFORM_CATALOG: readonly CatalogEntry[] = [
  { platform: 'api_server', load: async () => asDescriptor((await import('@hermes/adapter-api-server')).apiServerDescriptor) },
  { platform: 'webhook', load: async () => asDescriptor((await import('@hermes/adapter-webhook')).webhookDescriptor) },
  { platform: 'wecom', load: async () => asDescriptor((await import('@hermes/adapter-wecom')).wecomDescriptor) },
];

export function knownPlatforms(): string[] {
  return PLATFORM_CATALOG.map((e) => e.platform);
}

/**
 * Spec 1.2: `platforms.<p>.enabled` in config.yaml decides when present (an explicit false beats
 * credentials in the env); otherwise the platform is on when all of its credential variables are set.
 */
export function isEnabled(descriptor: PlatformDescriptor<unknown>, env: EnvLike, file: GatewayFileConfig): boolean {
  const explicit = file.platforms[descriptor.platform]?.enabled;
  if (explicit !== undefined) return explicit;
  return descriptor.requiredEnv.length > 0 && descriptor.requiredEnv.every((name) => Boolean(env[name]?.trim()));
}

export interface ResolvedPlatform {
  descriptor: PlatformDescriptor<unknown>;
  config: unknown;
}

export interface CatalogProblem {
  platform: string;
  message: string;
}

/**
 * Loads the descriptors of every enabled platform and builds their configs. A platform whose config is
 * wrong is reported and left out; the others go on. With nothing enabled at all, the embedded default is
 * the API server on 127.0.0.1:8642 (unless it was explicitly disabled).
 */
export async function resolvePlatforms(env: EnvLike, file: GatewayFileConfig): Promise<{ platforms: ResolvedPlatform[]; problems: CatalogProblem[] }> {
  const platforms: ResolvedPlatform[] = [];
  const problems: CatalogProblem[] = [];
  const unknown = Object.keys(file.platforms).filter((p) => !knownPlatforms().includes(p));
  for (const p of unknown) problems.push({ platform: p, message: `config.yaml platforms.${p}: unknown platform (known: ${knownPlatforms().join(', ')})` });
  const descriptors: PlatformDescriptor<unknown>[] = [];
  for (const entry of PLATFORM_CATALOG) {
    try {
      descriptors.push(await entry.load());
    } catch (err) {
      problems.push({ platform: entry.platform, message: `could not load its package: ${(err as Error).message}` });
    }
  }
  let enabled = descriptors.filter((d) => isEnabled(d, env, file));
  if (enabled.length === 0 && file.platforms.api_server?.enabled !== false) enabled = descriptors.filter((d) => d.platform === 'api_server');
  for (const descriptor of enabled) {
    try {
      const fileConfig = (file.platforms[descriptor.platform] ?? {}) as Record<string, unknown>;
      platforms.push({ descriptor, config: descriptor.configFromEnv(env, fileConfig) });
    } catch (err) {
      problems.push({ platform: descriptor.platform, message: (err as Error).message });
    }
  }
  return { platforms, problems };
}

export function createAdapters(resolved: ResolvedPlatform[]): PlatformAdapter[] {
  return resolved.map((r) => r.descriptor.createAdapter(r.config));
}
