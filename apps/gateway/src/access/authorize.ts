import { type EnvLike, envFlag, envList, type InboundMessage } from '@hermes/adapter-core';
import type { PairingStore } from './pairing-store.js';

/**
 * Platforms whose inputs are events, not people (spec 3.1 step 1), plus the API server, whose callers
 * already proved themselves with API_SERVER_KEY (or reach it only over loopback when no key is set).
 */
const EVENT_PLATFORMS = new Set(['homeassistant', 'webhook', 'api_server']);

export type AccessDecision =
  | {
      allowed: true;
      via: 'event-platform' | 'allow-all-platform' | 'pairing' | 'allowlist' | 'role' | 'allow-all-gateway';
    }
  | { allowed: false; reason: 'no-user' | 'not-allowed' | 'no-allowlist' };

export function envPrefix(platform: string): string {
  return platform.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Ids are compared as strings; the platform prefixes people paste from other tools are stripped first. */
export function normaliseUserId(platform: string, id: string): string {
  let out = id.trim();
  if (platform === 'discord') out = out.replace(/^<@!?(\d+)>$/, '$1').replace(/^user:/i, '');
  if (platform === 'wecom') out = out.replace(/^(wecom:|user:|group:)+/i, '').toLowerCase();
  if (platform === 'whatsapp') out = out.replace(/@.*$/, '').replace(/:\d+$/, '').replace(/^\+/, '');
  return out;
}

/**
 * The classic authorization order of the Python gateway (spec 3.1): event platforms, then
 * `<P>_ALLOW_ALL_USERS`, pairing approvals, `<P>_ALLOWED_USERS` ∪ `GATEWAY_ALLOWED_USERS`, and last
 * `GATEWAY_ALLOW_ALL_USERS`. Everything else is denied.
 */
export function authorize(
  msg: Pick<InboundMessage, 'chat' | 'sender'>,
  env: EnvLike,
  pairing: PairingStore,
): AccessDecision {
  const platform = msg.chat.platform;
  if (EVENT_PLATFORMS.has(platform)) return { allowed: true, via: 'event-platform' };
  const ids = [msg.sender.id, msg.sender.altId].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  if (ids.length === 0) return { allowed: false, reason: 'no-user' };
  const p = envPrefix(platform);
  if (envFlag(env, `${p}_ALLOW_ALL_USERS`)) return { allowed: true, via: 'allow-all-platform' };
  if (ids.some((id) => pairing.isApproved(platform, id))) return { allowed: true, via: 'pairing' };
  const allowlist = [...envList(env, `${p}_ALLOWED_USERS`), ...envList(env, 'GATEWAY_ALLOWED_USERS')].map(
    (id) => normaliseUserId(platform, id),
  );
  // Roles count as part of the allowlist (spec 3.4: Discord's allowed roles admit their members).
  const roles = envList(env, `${p}_ALLOWED_ROLES`).map((r) => r.toLowerCase());
  if (roles.length > 0 && (msg.sender.roles ?? []).some((r) => roles.includes(r.toLowerCase()))) {
    return { allowed: true, via: 'role' };
  }
  if (allowlist.length > 0 || roles.length > 0) {
    const mine = ids.map((id) => normaliseUserId(platform, id));
    if (allowlist.includes('*') || mine.some((id) => allowlist.includes(id)))
      return { allowed: true, via: 'allowlist' };
    return { allowed: false, reason: 'not-allowed' };
  }
  if (envFlag(env, 'GATEWAY_ALLOW_ALL_USERS')) return { allowed: true, via: 'allow-all-gateway' };
  return { allowed: false, reason: 'no-allowlist' };
}

/** True when nobody could ever be allowed in: the gateway warns about this at startup. */
export function nothingAllowed(env: EnvLike, platforms: readonly string[]): boolean {
  if (envFlag(env, 'GATEWAY_ALLOW_ALL_USERS') || envList(env, 'GATEWAY_ALLOWED_USERS').length > 0)
    return false;
  return platforms.every((p) => {
    const prefix = envPrefix(p);
    return (
      !EVENT_PLATFORMS.has(p) &&
      !envFlag(env, `${prefix}_ALLOW_ALL_USERS`) &&
      envList(env, `${prefix}_ALLOWED_USERS`).length === 0 &&
      envList(env, `${prefix}_ALLOWED_ROLES`).length === 0
    );
  });
}
