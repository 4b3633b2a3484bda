import type { ProbeResult } from '@hermes/adapter-core';
import { type APIUser, REST, Routes } from 'discord.js';
import { Agent } from 'undici';
import type { DiscordConfig } from './config.js';
import { toDiscordError } from './errors.js';

/** Checks the token with `GET /users/@me`, without opening the gateway (used by `hermes doctor`). */
export async function probeDiscord(config: DiscordConfig, timeoutMs = 10_000): Promise<ProbeResult> {
  const agent = new Agent({ connect: { timeout: Math.min(timeoutMs, 10_000) } });
  const rest = new REST({ api: config.apiBase, retries: 0, timeout: timeoutMs, agent }).setToken(
    config.token,
  );
  try {
    const me = (await rest.get(Routes.user('@me'))) as APIUser;
    return {
      ok: true,
      identity: `${me.username} (${me.id})`,
      detail: me.bot ? 'bot account' : 'not a bot account',
    };
  } catch (error) {
    const mapped = toDiscordError(error, 'GET users/@me');
    return mapped.fix ? { ok: false, error: mapped, fix: mapped.fix } : { ok: false, error: mapped };
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    await agent.destroy();
  }
}
