import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWecomQrSetup } from './qr-setup.js';
import { startWecomFakeServer, type WecomFakeServer } from './testing/fake-server.js';

let fake: WecomFakeServer;
beforeEach(async () => {
  fake = await startWecomFakeServer({ botId: 'qr-bot', secret: 'qr-secret' });
});
afterEach(async () => {
  await fake.close();
});

describe('WeCom QR "scan to create" setup', () => {
  it('shows the gen URL with the scode and returns the bot credentials once confirmed', async () => {
    const session = await startWecomQrSetup({ baseUrl: fake.httpUrl, pollIntervalMs: 20 });
    expect(session.qrUrl).toBe(`${fake.httpUrl}/ai/qc/gen?source=hermes&scode=${session.scode}`);
    expect(session.authUrl).toContain(session.scode);
    setTimeout(() => fake.confirmQr(), 100);
    await expect(session.waitForCredentials()).resolves.toEqual({ botId: 'qr-bot', secret: 'qr-secret' });
    expect(fake.qrPolls).toBeGreaterThan(1);
  });

  it('gives up after 300 s on the monotonic clock, whatever the wall clock does', async () => {
    let monotonic = 0;
    const realDateNow = Date.now;
    // A wall clock stuck in the past must not keep the loop alive, nor a jump forward end it early.
    Date.now = () => 0;
    try {
      const session = await startWecomQrSetup({
        baseUrl: fake.httpUrl,
        now: () => monotonic,
        sleep: async (ms) => {
          monotonic += ms;
        },
      });
      await expect(session.waitForCredentials()).rejects.toMatchObject({
        code: 'wecom_qr_timeout',
        message: expect.stringContaining('300 s'),
      });
    } finally {
      Date.now = realDateNow;
    }
    expect(fake.qrPolls).toBe(100);
  });

  it('names an unreachable or broken endpoint', async () => {
    await expect(startWecomQrSetup({ baseUrl: 'http://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'network',
    });
    const broken = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = broken.address() as AddressInfo;
      await expect(startWecomQrSetup({ baseUrl: `http://127.0.0.1:${port}` })).rejects.toMatchObject({
        code: 'protocol',
        message: expect.stringContaining('without a data object'),
      });
    } finally {
      broken.closeAllConnections();
      await new Promise((resolve) => broken.close(resolve));
    }
  });
});
