import { getEventListeners } from 'node:events';
import { isAdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { startFakeTelegram } from '../testing/index.js';
import { TelegramBotApi } from './bot-api.js';

describe('TelegramBotApi.call', () => {
  it("leaves no listener on the caller's signal, and close() cancels a call in flight as aborted", async () => {
    const fake = await startFakeTelegram();
    const api = new TelegramBotApi({ token: fake.token, apiRoot: fake.apiRoot });
    try {
      const caller = new AbortController();
      for (let i = 0; i < 20; i++) await api.call('getMe', {}, { signal: caller.signal });
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
      // A long poll with nothing to deliver stays open until close() cuts it.
      const poll = api.call('getUpdates', { offset: 0, timeout: 20 }, { signal: caller.signal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      api.close();
      const error = await poll;
      expect(isAdapterError(error) && error.code).toBe('aborted');
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    } finally {
      api.close();
      await fake.close();
    }
  });

  it("the caller's abort cancels the call as aborted", async () => {
    const fake = await startFakeTelegram();
    const api = new TelegramBotApi({ token: fake.token, apiRoot: fake.apiRoot });
    try {
      const caller = new AbortController();
      const poll = api.call('getUpdates', { offset: 0, timeout: 20 }, { signal: caller.signal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      caller.abort();
      const error = await poll;
      expect(isAdapterError(error) && error.code).toBe('aborted');
    } finally {
      api.close();
      await fake.close();
    }
  });
});
