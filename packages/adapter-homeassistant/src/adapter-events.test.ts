import { isAdapterError } from '@hermes/adapter-core';
import { createTestContext, sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHomeAssistantAdapter, type HomeAssistantAdapter } from './adapter.js';
import type { HomeAssistantConfigInput } from './config.js';
import { startFakeHomeAssistant } from './testing/index.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function running(config: Partial<HomeAssistantConfigInput> = {}) {
  const fake = await startFakeHomeAssistant({
    entities: {
      'light.kitchen': { state: 'off', attributes: { friendly_name: 'Kitchen' } },
      'sensor.temp': { state: '21', attributes: { unit_of_measurement: '°C' } },
      'lock.front_door': { state: 'locked' },
    },
  });
  const adapter = createHomeAssistantAdapter({ url: fake.url, token: fake.token, ...config });
  const t = createTestContext();
  cleanups.push(async () => {
    await adapter.stop();
    await fake.close();
    await t.cleanup();
  });
  await adapter.start(t.ctx);
  await waitFor(() => fake.subscribers() === 1, { timeoutMs: 5000, what: 'the state_changed subscription' });
  return { fake, adapter, t };
}

describe('Home Assistant events', () => {
  it('renders a watched change as the Python gateway words it, in the ha_events chat', async () => {
    const { fake, t } = await running({ watchDomains: ['light'] });
    fake.setState('light.kitchen', 'on');
    const msg = await t.waitForReceived(() => true, 5000);
    expect(msg.text).toBe('[Home Assistant] Kitchen (light.kitchen) changed from off to on');
    expect(msg.chat).toEqual({ platform: 'homeassistant', chatId: 'ha_events', chatType: 'channel' });
    expect(msg.mentionsBot).toBe(true);
  });

  it('forwards only what the filters name, and never an ignored entity', async () => {
    const { fake, t } = await running({
      watchEntities: ['sensor.temp'],
      watchDomains: ['lock'],
      ignoreEntities: ['lock.front_door'],
    });
    fake.setState('light.kitchen', 'on');
    fake.setState('lock.front_door', 'unlocked');
    fake.setState('sensor.temp', '22');
    const msg = await t.waitForReceived((m) => m.text.includes('sensor.temp'), 5000);
    expect(msg.text).toBe('[Home Assistant] sensor.temp changed from 21 °C to 22 °C');
    await sleep(300);
    expect(t.received.map((m) => m.text)).toEqual([msg.text]);
  });

  it('forwards nothing without filters, and says so at start', async () => {
    const { fake, t } = await running();
    expect(t.logger.find('warn').some((e) => e.msg.includes('no watch_domains'))).toBe(true);
    fake.setState('light.kitchen', 'on');
    await sleep(300);
    expect(t.received).toEqual([]);
  });

  it('ignores attribute-only updates', async () => {
    const { fake, t } = await running({ watchAll: true });
    fake.setState('light.kitchen', 'off', { friendly_name: 'Kitchen', brightness: 10 });
    fake.setState('light.kitchen', 'on');
    const msg = await t.waitForReceived(() => true, 5000);
    await sleep(200);
    expect(t.received).toHaveLength(1);
    expect(msg.text).toContain('changed from off to on');
  });

  it('holds changes inside the cooldown and delivers the outcome when it ends', async () => {
    const { fake, t } = await running({ watchAll: true, cooldownSeconds: 0.4 });
    fake.setState('light.kitchen', 'on');
    await t.waitForReceived(() => true, 5000);
    fake.setState('light.kitchen', 'off');
    fake.setState('light.kitchen', 'on');
    fake.setState('light.kitchen', 'off');
    await sleep(150);
    expect(t.received).toHaveLength(1);
    await waitFor(() => t.received.length === 2, { timeoutMs: 3000, what: 'the held change' });
    expect(t.received[1]!.text).toBe('[Home Assistant] Kitchen (light.kitchen) changed from on to off');
  });

  it('drops a change that flapped back to what the agent already knows', async () => {
    const { fake, t } = await running({ watchAll: true, cooldownSeconds: 0.3 });
    fake.setState('light.kitchen', 'on');
    await t.waitForReceived(() => true, 5000);
    fake.setState('light.kitchen', 'off');
    fake.setState('light.kitchen', 'on');
    await sleep(700);
    expect(t.received).toHaveLength(1);
  });

  it('survives events of the wrong shape and frames the library would throw on', async () => {
    const { fake, t } = await running({ watchAll: true });
    fake.sendRaw('not json at all');
    fake.sendRaw('[null]');
    fake.sendRaw(
      JSON.stringify({
        id: 2,
        type: 'event',
        event: { event_type: 'state_changed', data: { entity_id: 5 } },
      }),
    );
    fake.setState('light.kitchen', 'on');
    await t.waitForReceived(() => true, 5000);
    expect(t.logger.find('warn').filter((e) => e.msg.includes('malformed')).length).toBeGreaterThanOrEqual(2);
    expect(t.statuses).not.toContain('failed');
  });

  it('a refused token fails start() with auth_failed, without retrying', async () => {
    const fake = await startFakeHomeAssistant();
    cleanups.push(() => fake.close());
    const adapter: HomeAssistantAdapter = createHomeAssistantAdapter({ url: fake.url, token: 'wrong' });
    const t = createTestContext();
    cleanups.push(() => t.cleanup());
    const error = await adapter.start(t.ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAdapterError(error) && error.code).toBe('auth_failed');
    expect(fake.server.connectionCount).toBe(1);
    const probe = await adapter.probe();
    expect(probe.ok).toBe(false);
    if (!probe.ok) expect(probe.fix).toMatch(/HASS_TOKEN/);
  });

  it('replies become persistent notifications titled "Hermes Agent"', async () => {
    const { fake, adapter } = await running();
    const sent = await adapter.send(
      { platform: 'homeassistant', chatId: 'ha_events', chatType: 'channel' },
      { text: 'The **kitchen** light is on.' },
    );
    expect(sent.ok).toBe(true);
    expect(fake.notifications()).toEqual([
      expect.objectContaining({ title: 'Hermes Agent', message: 'The kitchen light is on.' }),
    ]);
    expect((await adapter.probe()).ok).toBe(true);
  });
});
