import { createTestContext, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHomeAssistantAdapter } from './adapter.js';
import { startFakeHomeAssistant } from './testing/index.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(start = true) {
  const fake = await startFakeHomeAssistant({
    entities: {
      'light.kitchen': { state: 'off', attributes: { friendly_name: 'Kitchen' } },
      'lock.front_door': { state: 'locked', attributes: { friendly_name: 'Front door' } },
    },
  });
  const adapter = createHomeAssistantAdapter({ url: fake.url, token: fake.token, watchAll: true });
  const t = createTestContext();
  cleanups.push(async () => {
    await adapter.stop();
    await fake.close();
    await t.cleanup();
  });
  if (start) {
    await adapter.start(t.ctx);
    await waitFor(() => fake.subscribers() === 1, { timeoutMs: 5000, what: 'subscription' });
  }
  const tools = Object.fromEntries(adapter.agentTools().map((tool) => [tool.name, tool]));
  return { fake, adapter, t, tools };
}

const signal = new AbortController().signal;

describe('Home Assistant agent tools', () => {
  it('lists, reads and switches entities in the real WebSocket API', async () => {
    const { fake, t, tools } = await setup();
    expect(Object.keys(tools).sort()).toEqual([
      'ha_call_service',
      'ha_get_state',
      'ha_list_entities',
      'ha_list_services',
    ]);
    const list = await tools['ha_list_entities']!.execute({ domain: 'light' }, signal);
    expect(list).toEqual({ ok: true, output: '1 entities:\nlight.kitchen "Kitchen": off' });
    const state = await tools['ha_get_state']!.execute({ entity_id: 'lock.front_door' }, signal);
    expect(JSON.parse(state.output)).toMatchObject({
      state: 'locked',
      attributes: { friendly_name: 'Front door' },
    });
    const services = await tools['ha_list_services']!.execute({ domain: 'light' }, signal);
    expect(services.output).toContain('light.turn_on (fields: brightness_pct)');

    const call = await tools['ha_call_service']!.execute(
      { domain: 'light', service: 'turn_on', entity_id: 'light.kitchen', data: { brightness_pct: 40 } },
      signal,
    );
    expect(call).toEqual({ ok: true, output: 'Called light.turn_on on light.kitchen.' });
    expect(fake.serviceCalls()).toEqual([
      {
        domain: 'light',
        service: 'turn_on',
        serviceData: { brightness_pct: 40 },
        target: { entity_id: 'light.kitchen' },
      },
    ]);
    // The change the call made comes back as an event, as in a real home.
    const msg = await t.waitForReceived((m) => m.text.includes('light.kitchen'), 5000);
    expect(msg.text).toContain('changed from off to on');
  });

  it('asks for approval on locks, alarms and covers only', async () => {
    const { tools } = await setup(false);
    const approval = tools['ha_call_service']!.approval!;
    expect(approval({ domain: 'light', service: 'turn_on', entity_id: 'light.kitchen' })).toBeUndefined();
    expect(approval({ domain: 'lock', service: 'unlock', entity_id: 'lock.front_door' })).toEqual({
      command: 'lock.unlock lock.front_door',
      reason: 'Home Assistant lock services change physical security',
      patternKey: 'homeassistant:lock',
    });
    expect(approval({ domain: 'alarm_control_panel', service: 'alarm_disarm' })?.patternKey).toBe(
      'homeassistant:alarm_control_panel',
    );
    expect(approval({ domain: 'cover', service: 'open_cover' })?.patternKey).toBe('homeassistant:cover');
  });

  it('answers the model with the reason when Home Assistant refuses or is offline', async () => {
    const { tools } = await setup();
    const missing = await tools['ha_call_service']!.execute({ domain: 'light', service: 'explode' }, signal);
    expect(missing).toEqual({
      ok: false,
      output: 'Home Assistant call_service light.explode failed: Service light.explode not found.',
    });
    const offline = await (await setup(false)).tools['ha_list_entities']!.execute({}, signal);
    expect(offline.ok).toBe(false);
    expect(offline.output).toMatch(/not connected right now/);
  });
});
