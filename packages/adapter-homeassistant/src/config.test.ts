import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import { homeAssistantDescriptor } from './descriptor.js';

describe('Home Assistant configFromEnv', () => {
  it('reads HASS_URL and HASS_TOKEN and the Python spelling of the filters in config.yaml', () => {
    const config = configFromEnv(
      { HASS_URL: 'http://ha.local:8123', HASS_TOKEN: 'llat-123' },
      {
        watch_domains: ['binary_sensor'],
        watch_entities: ['lock.front_door'],
        ignore_entities: ['sensor.noise'],
        enabled: true,
      },
    );
    expect(config.url).toBe('http://ha.local:8123');
    expect(config.token).toBe('llat-123');
    expect(config.watchDomains).toEqual(['binary_sensor']);
    expect(config.watchEntities).toEqual(['lock.front_door']);
    expect(config.ignoreEntities).toEqual(['sensor.noise']);
    expect(config.cooldownSeconds).toBe(30);
    expect(config.dangerousDomains).toEqual(['lock', 'alarm_control_panel', 'cover']);
  });

  it('names the variable to set when the token or URL is missing', () => {
    expect(() => configFromEnv({ HASS_URL: 'http://ha.local:8123' })).toThrow(AdapterError);
    expect(() => configFromEnv({ HASS_URL: 'http://ha.local:8123' })).toThrow(
      /token is missing: set HASS_TOKEN/,
    );
    expect(() => configFromEnv({ HASS_TOKEN: 't' })).toThrow(/set HASS_URL/);
  });

  it('refuses an entity id that is not domain.object_id, naming the key', () => {
    expect(() =>
      configFromEnv(
        { HASS_URL: 'http://ha.local:8123', HASS_TOKEN: 't' },
        { watch_entities: ['Front Door'] },
      ),
    ).toThrow(/watchEntities\.0 must look like domain\.object_id/);
  });

  it('is an events platform whose token is a secret', () => {
    expect(homeAssistantDescriptor.kind).toBe('events');
    expect(homeAssistantDescriptor.secretEnv).toEqual(['HASS_TOKEN']);
    expect(homeAssistantDescriptor.requiredEnv).toEqual(['HASS_URL', 'HASS_TOKEN']);
  });
});
