import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createHomeAssistantAdapter } from './adapter.js';
import {
  configFromEnv,
  HOME_ASSISTANT_ENV,
  HOME_ASSISTANT_PLATFORM,
  type HomeAssistantConfig,
  homeAssistantConfigSchema,
} from './config.js';

export const homeAssistantDescriptor: PlatformDescriptor<HomeAssistantConfig> = {
  platform: HOME_ASSISTANT_PLATFORM,
  label: 'Home Assistant',
  // State changes are events, not people: no allowlist, never parsed as commands, no terminal in their turns.
  kind: 'events',
  requiredEnv: [HOME_ASSISTANT_ENV.url, HOME_ASSISTANT_ENV.token],
  optionalEnv: [],
  secretEnv: [HOME_ASSISTANT_ENV.token],
  setupHelp:
    `In Home Assistant open your profile → Security → Long-lived access tokens → Create token, then set ` +
    `${HOME_ASSISTANT_ENV.token}=<token> and ${HOME_ASSISTANT_ENV.url}=http://<host>:8123 in ~/.hermes/.env. ` +
    'Choose what reaches the agent under platforms.homeassistant in config.yaml: watch_domains: [binary_sensor], ' +
    'watch_entities: [lock.front_door], ignore_entities, or watch_all: true. The agent gets ha_list_entities, ' +
    'ha_get_state, ha_list_services and ha_call_service; lock, alarm and cover services ask you to /approve first.',
  configSchema: homeAssistantConfigSchema,
  configFromEnv,
  createAdapter: (config) => createHomeAssistantAdapter(config),
};
