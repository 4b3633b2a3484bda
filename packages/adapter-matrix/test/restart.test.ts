import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type MatrixHarness } from './harness.js';

describe('matrix restart (fake homeserver)', () => {
  let h: MatrixHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('logs in once: a restart reuses the stored device instead of creating one', async () => {
    h = await createHarness();
    const first = await h.start();
    await h.stop(first);
    const second = await h.start();
    expect(h.fake.logins).toBe(1);
    await h.stop(second);
  });

  it('a restart neither replays old messages nor loses the ones sent while down', async () => {
    h = await createHarness();
    const first = await h.start();
    await h.fake.deliverDm('before the restart');
    await first.context.waitForReceived((m) => m.text === 'before the restart', 5_000);
    await h.stop(first);
    await h.fake.deliverDm('while the bot was down');
    const second = await h.start();
    await second.context.waitForReceived((m) => m.text === 'while the bot was down', 5_000);
    await h.fake.deliverDm('after the restart');
    await second.context.waitForReceived((m) => m.text === 'after the restart', 5_000);
    await sleep(300);
    expect(second.context.received.map((m) => m.text)).toEqual([
      'while the bot was down',
      'after the restart',
    ]);
  });

  it('an unreadable sync state file is set aside and reported, and the adapter still starts', async () => {
    h = await createHarness();
    const first = await h.start();
    await h.stop(first);
    writeFileSync(join(h.stateDir, 'sync.json'), '{"version": 1, "nextBa');
    const second = await h.start();
    expect(second.context.logger.find('error').some((e) => e.msg.includes('sync state was unreadable'))).toBe(
      true,
    );
    expect(readdirSync(h.stateDir).some((name) => name.startsWith('sync.json.corrupt-'))).toBe(true);
    await h.fake.deliverDm('still works');
    await second.context.waitForReceived((m) => m.text === 'still works', 5_000);
  });

  it('a wrong password fails start() with auth_failed naming the variables to fix', async () => {
    h = await createHarness();
    await expect(h.start({ password: 'wrong' })).rejects.toMatchObject({
      code: 'auth_failed',
      fix: expect.stringContaining('MATRIX_PASSWORD'),
    });
  });

  it('a sync position that lags behind what the host already got (crash before the save) replays nothing', async () => {
    h = await createHarness();
    const syncFile = join(h.stateDir, 'sync.json');
    const first = await h.start();
    const before = JSON.parse(readFileSync(syncFile, 'utf8')) as Record<string, unknown>;
    await h.fake.deliverDm('handled just before the crash');
    await first.context.waitForReceived((m) => m.text === 'handled just before the crash', 5_000);
    await h.stop(first);
    // The handled event ids were saved, the position and room state were not: as if the process died
    // between the two.
    const after = JSON.parse(readFileSync(syncFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(syncFile, JSON.stringify({ ...before, seen: after['seen'] }));
    const second = await h.start();
    await h.fake.deliverDm('new after the restart');
    await second.context.waitForReceived((m) => m.text === 'new after the restart', 5_000);
    await sleep(200);
    expect(second.context.received.map((m) => m.text)).toEqual(['new after the restart']);
  });

  it('probe() names the account and device without starting, and reports refused credentials', async () => {
    h = await createHarness();
    const { createMatrixAdapter } = await import('../src/index.js');
    const good = createMatrixAdapter({
      homeserver: h.fake.url,
      accessToken: h.fake.botToken,
      stateDir: h.stateDir,
    });
    expect(await good.probe()).toMatchObject({
      ok: true,
      identity: h.fake.botUserId,
      detail: 'device FAKEDEVICE0',
    });
    const bad = createMatrixAdapter({
      homeserver: h.fake.url,
      accessToken: 'not-a-token',
      stateDir: h.stateDir,
    });
    expect(await bad.probe()).toMatchObject({
      ok: false,
      error: { code: 'auth_failed' },
      fix: expect.stringContaining('MATRIX_ACCESS_TOKEN'),
    });
    expect(h.fake.server.requests.some((r) => r.path.endsWith('/sync'))).toBe(false);
  });
});
