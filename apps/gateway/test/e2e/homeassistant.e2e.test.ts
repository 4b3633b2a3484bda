import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeHomeAssistant, startFakeHomeAssistant } from '@hermes/adapter-homeassistant/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, gatewayEnv, startGatewayProcess, until } from './gateway-process.js';

let home: string;
let fake: FakeOpenAI;
let hass: FakeHomeAssistant;
let gateway: GatewayProcess;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-hass-'));
  fake = await startFakeOpenAI();
  hass = await startFakeHomeAssistant({
    entities: {
      'binary_sensor.front_door': { state: 'off', attributes: { friendly_name: 'Front door' } },
      'binary_sensor.back_door': { state: 'off' },
      'light.hall': { state: 'off', attributes: { friendly_name: 'Hall light' } },
      'lock.front_door': { state: 'locked' },
    },
  });
  writeFileSync(
    join(home, 'config.yaml'),
    ['platforms:', '  homeassistant:', '    watch_domains: [binary_sensor]', ''].join('\n'),
  );
  gateway = startGatewayProcess(
    gatewayEnv(home, {
      HASS_URL: hass.url,
      HASS_TOKEN: hass.token,
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: 'sk-test-e2e-hass',
      HERMES_MODEL: 'fake-model',
    }),
  );
  await gateway.waitForLog(/gateway running/, 30_000);
  await until(gateway, () => hass.subscribers() === 1, 'the gateway to subscribe to state_changed');
}, 60_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await Promise.all([fake?.close(), hass?.close()]);
  rmSync(home, { recursive: true, force: true });
});

describe('hermes gateway with Home Assistant', () => {
  it('a watched state change starts a turn; the agent switches a light and answers as a notification', async () => {
    fake.script(
      step.toolCall('ha_call_service', { domain: 'light', service: 'turn_on', entity_id: 'light.hall' }),
      step.text('Someone opened the front door, so I turned the hall light on.'),
    );
    hass.setState('binary_sensor.front_door', 'on');
    const answer = await until(
      gateway,
      () => hass.notifications().find((n) => n.message.includes('hall light on')),
      'the answer as a persistent notification',
    );
    expect(answer.title).toBe('Hermes Agent');
    expect(hass.serviceCalls()).toEqual([
      { domain: 'light', service: 'turn_on', serviceData: {}, target: { entity_id: 'light.hall' } },
    ]);
    expect(hass.entities().find((e) => e.entity_id === 'light.hall')?.state).toBe('on');
    const [first] = fake.requests;
    const body = first!.body as {
      messages: Array<{ content?: unknown }>;
      tools?: Array<{ function: { name: string } }>;
    };
    expect(JSON.stringify(body.messages)).toContain(
      '[Home Assistant] Front door (binary_sensor.front_door) changed from off to on',
    );
    const tools = (body.tools ?? []).map((t) => t.function.name);
    expect(tools).toEqual(
      expect.arrayContaining(['ha_list_entities', 'ha_get_state', 'ha_call_service', 'ha_list_services']),
    );
    // An event turn never gets a shell.
    expect(tools).not.toContain('terminal');
  });

  it('unlocking a door is not run without an approval', async () => {
    fake.script(
      step.toolCall('ha_call_service', { domain: 'lock', service: 'unlock', entity_id: 'lock.front_door' }),
      step.text('unused'),
    );
    // Another sensor: the front door's next change would wait out its 30 s cooldown.
    hass.setState('binary_sensor.back_door', 'on');
    await until(
      gateway,
      () => hass.notifications().find((n) => n.message.includes('lock.unlock lock.front_door')),
      'the approval request',
    );
    expect(hass.serviceCalls().some((c) => c.domain === 'lock')).toBe(false);
    expect(hass.entities().find((e) => e.entity_id === 'lock.front_door')?.state).toBe('locked');
  });
});
