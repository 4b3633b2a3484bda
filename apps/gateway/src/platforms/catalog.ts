import type { AdapterServices, EnvLike, PlatformAdapter, PlatformDescriptor } from '@hermes/adapter-core';
import type { GatewayFileConfig } from '../config/schema.js';

export interface CatalogEntry {
  platform: string;
  /**
   * Any one of these sets enables the platform from the environment (a value of false/0/no/off does not).
   * Kept here, not read from the descriptor, so deciding what is enabled imports no SDK.
   */
  enabledBy: readonly (readonly string[])[];
  /** Imported only when the platform is enabled, so an unused SDK never loads. */
  load(): Promise<PlatformDescriptor<unknown>>;
}

const asDescriptor = (d: unknown) => d as PlatformDescriptor<unknown>;

/** One line per platform package: this is the only host edit a new platform needs. */
export const PLATFORM_CATALOG: readonly CatalogEntry[] = [
  {
    platform: 'api_server',
    enabledBy: [['API_SERVER_ENABLED'], ['API_SERVER_KEY']],
    load: async () => asDescriptor((await import('@hermes/adapter-api-server')).apiServerDescriptor),
  },
  {
    platform: 'webhook',
    enabledBy: [['WEBHOOK_ENABLED']],
    load: async () => asDescriptor((await import('@hermes/adapter-webhook')).webhookDescriptor),
  },
  {
    platform: 'discord',
    enabledBy: [['DISCORD_BOT_TOKEN']],
    load: async () => asDescriptor((await import('@hermes/adapter-discord')).discordDescriptor),
  },
  {
    platform: 'slack',
    enabledBy: [['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']],
    load: async () => asDescriptor((await import('@hermes/adapter-slack')).slackDescriptor),
  },
  {
    platform: 'telegram',
    enabledBy: [['TELEGRAM_BOT_TOKEN']],
    load: async () => asDescriptor((await import('@hermes/adapter-telegram')).telegramDescriptor),
  },
  {
    platform: 'homeassistant',
    // The token alone enables it, so a missing HASS_URL is reported by name instead of silently off.
    enabledBy: [['HASS_TOKEN']],
    load: async () => asDescriptor((await import('@hermes/adapter-homeassistant')).homeAssistantDescriptor),
  },
  {
    platform: 'wecom',
    enabledBy: [['WECOM_BOT_ID', 'WECOM_SECRET']],
    load: async () => asDescriptor((await import('@hermes/adapter-wecom')).wecomDescriptor),
  },
  {
    platform: 'whatsapp',
    // WHATSAPP_ENABLED alone enables it (as in the Python gateway); a missing id, token or secret is then reported by name.
    enabledBy: [['WHATSAPP_ENABLED']],
    load: async () => asDescriptor((await import('@hermes/adapter-whatsapp')).whatsappDescriptor),
  },
  {
    platform: 'sms',
    // The account pair enables it; a missing TWILIO_PHONE_NUMBER is then reported by name.
    enabledBy: [['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']],
    load: async () => asDescriptor((await import('@hermes/adapter-sms')).smsDescriptor),
  },
  {
    platform: 'dingtalk',
    enabledBy: [['DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET']],
    load: async () => asDescriptor((await import('@hermes/adapter-dingtalk')).dingtalkDescriptor),
  },
  {
    platform: 'mattermost',
    enabledBy: [['MATTERMOST_URL', 'MATTERMOST_TOKEN']],
    load: async () => asDescriptor((await import('@hermes/adapter-mattermost')).mattermostDescriptor),
  },
  {
    platform: 'feishu',
    enabledBy: [['FEISHU_APP_ID', 'FEISHU_APP_SECRET']],
    load: async () => asDescriptor((await import('@hermes/adapter-feishu')).feishuDescriptor),
  },
  {
    platform: 'signal',
    enabledBy: [['SIGNAL_HTTP_URL', 'SIGNAL_ACCOUNT']],
    load: async () => asDescriptor((await import('@hermes/adapter-signal')).signalDescriptor),
  },
  {
    platform: 'matrix',
    enabledBy: [
      ['MATRIX_HOMESERVER', 'MATRIX_ACCESS_TOKEN'],
      ['MATRIX_HOMESERVER', 'MATRIX_USER_ID', 'MATRIX_PASSWORD'],
    ],
    load: async () => asDescriptor((await import('@hermes/adapter-matrix')).matrixDescriptor),
  },
  {
    platform: 'email',
    // The address and password enable it; missing IMAP/SMTP hosts are then reported by name.
    enabledBy: [['EMAIL_ADDRESS', 'EMAIL_PASSWORD']],
    load: async () => asDescriptor((await import('@hermes/adapter-email')).emailDescriptor),
  },
];

export function knownPlatforms(): string[] {
  return PLATFORM_CATALOG.map((e) => e.platform);
}

const OFF = new Set(['false', '0', 'no', 'off']);

/**
 * Spec 1.2: `platforms.<p>.enabled` in config.yaml decides when present (an explicit false beats
 * credentials in the env); otherwise the platform is on when one of its credential sets is fully present.
 */
export function isEnabled(entry: CatalogEntry, env: EnvLike, file: GatewayFileConfig): boolean {
  const explicit = file.platforms[entry.platform]?.enabled;
  if (explicit !== undefined) return explicit;
  return entry.enabledBy.some((set) =>
    set.every((name) => {
      const v = env[name]?.trim();
      return Boolean(v) && !OFF.has(v!.toLowerCase());
    }),
  );
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
export interface ResolvedPlatforms {
  platforms: ResolvedPlatform[];
  problems: CatalogProblem[];
}

export async function resolvePlatforms(env: EnvLike, file: GatewayFileConfig): Promise<ResolvedPlatforms> {
  const platforms: ResolvedPlatform[] = [];
  const problems: CatalogProblem[] = [];
  const unknown = Object.keys(file.platforms).filter((p) => !knownPlatforms().includes(p));
  for (const p of unknown)
    problems.push({
      platform: p,
      message: `config.yaml platforms.${p}: unknown platform (known: ${knownPlatforms().join(', ')})`,
    });
  let entries = PLATFORM_CATALOG.filter((e) => isEnabled(e, env, file));
  if (entries.length === 0 && file.platforms.api_server?.enabled !== false)
    entries = PLATFORM_CATALOG.filter((e) => e.platform === 'api_server');
  const enabled: PlatformDescriptor<unknown>[] = [];
  for (const entry of entries) {
    try {
      enabled.push(await entry.load());
    } catch (err) {
      problems.push({
        platform: entry.platform,
        message: `could not load its package: ${(err as Error).message}`,
      });
    }
  }
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

/** `services`: what the host lends each platform's adapter (the same offer to every platform). */
export function createAdapters(
  resolved: ResolvedPlatform[],
  services?: (platform: string) => AdapterServices,
): PlatformAdapter[] {
  return resolved.map((r) => r.descriptor.createAdapter(r.config, services?.(r.descriptor.platform)));
}

/** The values of every secret the enabled platforms and the agent read from the env: the log redacts them. */
export function secretValues(
  env: EnvLike,
  resolved: readonly ResolvedPlatform[],
  extra: readonly string[],
): string[] {
  const names = new Set([...extra, ...resolved.flatMap((r) => r.descriptor.secretEnv)]);
  return [...names].map((n) => env[n]?.trim()).filter((v): v is string => Boolean(v));
}
