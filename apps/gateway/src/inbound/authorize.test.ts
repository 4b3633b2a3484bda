import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conventionalProfile, type PlatformProfile } from '../platforms/platform-profile.js';
import { authorize as authorizeWith, nothingAllowed } from './authorize.js';
import { PairingStore } from './pairing-store.js';

let dir: string;
let pairing: PairingStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hermes-auth-'));
  pairing = new PairingStore(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Profiles as descriptors give them: the convention, plus what some platforms add.
const PROFILES: Record<string, PlatformProfile> = {
  telegram: conventionalProfile('telegram'),
  slack: conventionalProfile('slack'),
  webhook: conventionalProfile('webhook', 'events'),
  api_server: conventionalProfile('api_server', 'request-reply'),
  discord: { ...conventionalProfile('discord'), allowedRolesEnv: 'DISCORD_ALLOWED_ROLES' },
  // A platform whose ids people write in several forms: the descriptor's rule applies to both sides.
  wecom: {
    ...conventionalProfile('wecom'),
    normalizeUserId: (id) =>
      id
        .trim()
        .replace(/^(wecom:|user:)+/i, '')
        .toLowerCase(),
  },
  whatsapp: conventionalProfile('whatsapp'),
};
type Env = Record<string, string>;
const authorize = (m: ReturnType<typeof msg>, env: Env, p: PairingStore) =>
  authorizeWith(m, PROFILES[m.chat.platform]!, env, p);

const dm = (platform: string): ChatRef => ({ platform, chatId: 'c1', chatType: 'dm' });
const msg = (platform: string, id: string, altId?: string) => ({
  chat: dm(platform),
  sender: altId === undefined ? { id } : { id, altId },
});

describe('authorize', () => {
  it('denies by default when nothing is configured', async () => {
    expect(await authorize(msg('telegram', '42'), {}, pairing)).toEqual({
      allowed: false,
      reason: 'no-allowlist',
    });
  });

  it('always lets event platforms through', async () => {
    expect((await authorize(msg('webhook', ''), {}, pairing)).allowed).toBe(true);
  });

  it('denies a message without a user id', async () => {
    expect(await authorize(msg('telegram', ''), { GATEWAY_ALLOW_ALL_USERS: 'true' }, pairing)).toEqual({
      allowed: false,
      reason: 'no-user',
    });
  });

  it('follows the spec order: allow-all, pairing, allowlists, gateway allow-all', async () => {
    expect(
      await authorize(msg('telegram', '42'), { TELEGRAM_ALLOW_ALL_USERS: 'yes' }, pairing),
    ).toMatchObject({
      via: 'allow-all-platform',
    });
    const r = await pairing.generateCode('telegram', '42');
    expect(r.ok && (await pairing.approveCode('telegram', r.code)).ok).toBe(true);
    expect(await authorize(msg('telegram', '42'), { TELEGRAM_ALLOWED_USERS: '7' }, pairing)).toMatchObject({
      via: 'pairing',
    });
    expect(await authorize(msg('telegram', '7'), { TELEGRAM_ALLOWED_USERS: '1, 7' }, pairing)).toMatchObject({
      via: 'allowlist',
    });
    expect(await authorize(msg('telegram', '8'), { GATEWAY_ALLOWED_USERS: '8' }, pairing)).toMatchObject({
      via: 'allowlist',
    });
    // An allowlist that exists but does not contain the user wins over GATEWAY_ALLOW_ALL_USERS.
    expect(
      await authorize(
        msg('telegram', '9'),
        { TELEGRAM_ALLOWED_USERS: '7', GATEWAY_ALLOW_ALL_USERS: '1' },
        pairing,
      ),
    ).toEqual({
      allowed: false,
      reason: 'not-allowed',
    });
    expect(await authorize(msg('telegram', '9'), { GATEWAY_ALLOW_ALL_USERS: '1' }, pairing)).toMatchObject({
      via: 'allow-all-gateway',
    });
  });

  it("matches the alternate id, and applies the platform's id rule to both sides", async () => {
    expect(
      (
        await authorize(
          msg('whatsapp', 'lid-1', '15551234567'),
          { WHATSAPP_ALLOWED_USERS: '15551234567' },
          pairing,
        )
      ).allowed,
    ).toBe(true);
    expect(
      (await authorize(msg('wecom', 'ZhangSan'), { WECOM_ALLOWED_USERS: 'wecom:user:zhangsan' }, pairing))
        .allowed,
    ).toBe(true);
    // Without a rule, ids compare as written (trimmed).
    expect(
      (await authorize(msg('telegram', 'ZhangSan'), { TELEGRAM_ALLOWED_USERS: ' zhangsan' }, pairing))
        .allowed,
    ).toBe(false);
    expect((await authorize(msg('slack', 'U1'), { SLACK_ALLOWED_USERS: '*' }, pairing)).allowed).toBe(true);
  });

  it('lets request/reply clients through (their platform authenticated them) and reads no other env', async () => {
    expect(await authorize(msg('api_server', 'client'), {}, pairing)).toMatchObject({
      via: 'event-platform',
    });
  });

  it('admits members of an allowed role (Discord), by role id or name, and no one else', async () => {
    const member = {
      chat: { platform: 'discord', chatId: 'c', chatType: 'group' as const },
      sender: { id: 'u9', roles: ['111', 'Moderators'] },
    };
    expect(await authorize(member, { DISCORD_ALLOWED_ROLES: 'moderators' }, pairing)).toMatchObject({
      via: 'role',
    });
    expect(await authorize(member, { DISCORD_ALLOWED_ROLES: '111' }, pairing)).toMatchObject({ via: 'role' });
    const outsider = { ...member, sender: { id: 'u9' } };
    expect(
      await authorize(outsider, { DISCORD_ALLOWED_ROLES: '111', GATEWAY_ALLOW_ALL_USERS: 'true' }, pairing),
    ).toEqual({
      allowed: false,
      reason: 'not-allowed',
    });
  });

  it('knows when nothing at all is allowed, for the startup warning', async () => {
    const chats = [PROFILES.telegram!, PROFILES.slack!];
    expect(nothingAllowed({}, chats)).toBe(true);
    expect(nothingAllowed({ SLACK_ALLOWED_USERS: 'U1' }, chats)).toBe(false);
    expect(nothingAllowed({}, [PROFILES.webhook!])).toBe(false);
  });
});
