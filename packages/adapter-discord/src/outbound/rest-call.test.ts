import { getEventListeners } from 'node:events';
import { isAdapterError, silentLogger } from '@hermes/adapter-core';
import { REST, Routes } from 'discord.js';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { startFakeDiscord } from '../testing/index.js';
import { discordRestCall } from './rest-call.js';

async function withRest(run: (rest: REST) => Promise<void>): Promise<void> {
  const fake = await startFakeDiscord();
  const agent = new Agent();
  const rest = new REST({ api: fake.apiBase, retries: 0, agent }).setToken(fake.token);
  try {
    await run(rest);
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    await agent.close();
    await fake.close();
  }
}

describe('discordRestCall', () => {
  it('leaves no abort listener on the stop signal, however many calls ran (discord.js never removes its own)', async () => {
    await withRest(async (rest) => {
      const stop = new AbortController();
      for (let i = 0; i < 30; i++) {
        await discordRestCall((signal) => rest.get(Routes.gatewayBot(), { signal }), {
          what: 'get gateway',
          idempotent: true,
          signal: stop.signal,
          logger: silentLogger,
        });
      }
      // One shared listener at most; it was 30 (one per request, each holding its controller) before.
      expect(getEventListeners(stop.signal, 'abort').length).toBeLessThanOrEqual(1);
    });
  });

  it('a stop signal that fired cancels the call as aborted, not as a timeout', async () => {
    await withRest(async (rest) => {
      const stop = new AbortController();
      stop.abort();
      const error = await discordRestCall((signal) => rest.get(Routes.gatewayBot(), { signal }), {
        what: 'get gateway',
        idempotent: true,
        signal: stop.signal,
        logger: silentLogger,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAdapterError(error) && error.code).toBe('aborted');
    });
  });
});
