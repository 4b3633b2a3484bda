import { type EnvLike, parseAdapterConfig } from '@hermes/adapter-core';
import { z } from 'zod';

export const HOME_ASSISTANT_PLATFORM = 'homeassistant';

/** The Python Hermes gateway's names, so an operator can switch without renaming anything. */
export const HOME_ASSISTANT_ENV = {
  url: 'HASS_URL',
  token: 'HASS_TOKEN',
} as const;

/** Domains whose services change something people would want to confirm first (spec: dangerous actions). */
export const HOME_ASSISTANT_DANGEROUS_DOMAINS = ['lock', 'alarm_control_panel', 'cover'] as const;

const entityId = z
  .string()
  .regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'must look like domain.object_id (light.kitchen)');

export const homeAssistantConfigSchema = z.object({
  /** Base URL of the Home Assistant instance, e.g. http://homeassistant.local:8123. */
  url: z.url({ error: `is missing or not a URL: set ${HOME_ASSISTANT_ENV.url}` }),
  /** A long-lived access token (profile → Security). Secret: never logged. */
  token: z
    .string({ error: `is missing: set ${HOME_ASSISTANT_ENV.token}` })
    .trim()
    .min(1, `is empty: set ${HOME_ASSISTANT_ENV.token}`),
  /** Forward state changes of every entity in these domains (`light`, `binary_sensor`, …). */
  watchDomains: z.array(z.string().min(1)).default([]),
  /** Forward state changes of these entities. */
  watchEntities: z.array(entityId).default([]),
  /** Never forward these, whatever the other filters say. */
  ignoreEntities: z.array(entityId).default([]),
  /** Forward every state change (noisy: most homes change state many times a minute). */
  watchAll: z.boolean().default(false),
  /** At most one event per entity in this window; the last change in it is delivered when it ends. */
  cooldownSeconds: z.number().nonnegative().default(30),
  /** `ha_call_service` on these domains waits for the user's approval. */
  dangerousDomains: z.array(z.string().min(1)).default([...HOME_ASSISTANT_DANGEROUS_DOMAINS]),
  /** Waits before reconnect attempts 1, 2, 3, 4+ (spec: 5, 10, 30, 60 s), with 20 % jitter. */
  reconnectDelaysSeconds: z.array(z.number().nonnegative()).min(1).default([5, 10, 30, 60]),
  /** Title of the persistent notifications replies become. */
  notificationTitle: z.string().min(1).default('Hermes Agent'),
});

export type HomeAssistantConfig = z.output<typeof homeAssistantConfigSchema>;
export type HomeAssistantConfigInput = z.input<typeof homeAssistantConfigSchema>;

export function parseHomeAssistantConfig(input: unknown): HomeAssistantConfig {
  return parseAdapterConfig(homeAssistantConfigSchema, input, {
    platform: HOME_ASSISTANT_PLATFORM,
    label: 'Home Assistant',
    fix: `Set ${HOME_ASSISTANT_ENV.url} and ${HOME_ASSISTANT_ENV.token} in ~/.hermes/.env; filters go under platforms.homeassistant in config.yaml.`,
  });
}

/** config.yaml spells keys as the Python gateway does (`watch_domains`); both spellings are read. */
const FILE_KEYS: Record<string, keyof HomeAssistantConfig> = {
  watch_domains: 'watchDomains',
  watch_entities: 'watchEntities',
  ignore_entities: 'ignoreEntities',
  watch_all: 'watchAll',
  cooldown_seconds: 'cooldownSeconds',
  dangerous_domains: 'dangerousDomains',
  notification_title: 'notificationTitle',
  reconnect_delays_seconds: 'reconnectDelaysSeconds',
};

/** The env wins over `platforms.homeassistant` in config.yaml, as in the Python gateway. */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): HomeAssistantConfig {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fileConfig)) {
    if (key === 'enabled' || key === 'extra') continue;
    merged[FILE_KEYS[key] ?? key] = value;
  }
  const url = env[HOME_ASSISTANT_ENV.url]?.trim();
  if (url) merged['url'] = url;
  const token = env[HOME_ASSISTANT_ENV.token]?.trim();
  if (token) merged['token'] = token;
  return parseHomeAssistantConfig(merged);
}
