import { existsSync } from 'node:fs';
import type { AdapterContext } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { startAdapterRig } from './adapter-rig.js';

function fakeThatRecords(events: string[]) {
  return async () => ({
    close: async () => {
      events.push('fake closed');
    },
  });
}

describe('startAdapterRig', () => {
  it('starts the adapter on the fake with the test context and closes adapter, fake, context, then afterClose', async () => {
    const events: string[] = [];
    let given: AdapterContext | undefined;
    const rig = await startAdapterRig({
      startFake: fakeThatRecords(events),
      createAdapter: () => ({
        start: async (ctx: AdapterContext) => {
          given = ctx;
          events.push('started');
        },
        stop: async () => {
          events.push('stopped');
        },
      }),
      afterClose: async () => {
        events.push('afterClose');
      },
    });
    expect(given).toBe(rig.context.ctx);
    const mediaDir = rig.context.ctx.mediaCache.dir;
    expect(existsSync(mediaDir)).toBe(true);
    await rig.close();
    expect(events).toEqual(['started', 'stopped', 'fake closed', 'afterClose']);
    expect(existsSync(mediaDir)).toBe(false);
    expect(rig.context.ctx.signal.aborted).toBe(true);
  });

  it('closes the fake and the context when start() rejects, and passes the error on', async () => {
    const events: string[] = [];
    let ctx: AdapterContext | undefined;
    await expect(
      startAdapterRig({
        startFake: fakeThatRecords(events),
        createAdapter: () => ({
          start: async (c: AdapterContext) => {
            ctx = c;
            throw new Error('bad token');
          },
          stop: async () => {},
        }),
      }),
    ).rejects.toThrow('bad token');
    expect(events).toEqual(['fake closed']);
    expect(ctx?.signal.aborted).toBe(true);
    expect(existsSync(ctx?.mediaCache.dir ?? '')).toBe(false);
  });

  it('closes the fake when building the adapter throws (e.g. a config the parser refuses)', async () => {
    const events: string[] = [];
    await expect(
      startAdapterRig({
        startFake: fakeThatRecords(events),
        createAdapter: () => {
          throw new Error('config refused');
        },
      }),
    ).rejects.toThrow('config refused');
    expect(events).toEqual(['fake closed']);
  });
});
