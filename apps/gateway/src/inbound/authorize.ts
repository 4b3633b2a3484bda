import { type EnvLike, envFlag, envList, type InboundMessage } from '@hermes/adapter-core';
import type { PlatformProfile } from '../platforms/platform-profile.js';
import type { PairingStore } from './pairing-store.js';

export type AccessDecision =
  | {
      allowed: true;
      via: 'event-platform' | 'allow-all-platform' | 'pairing' | 'allowlist' | 'role' | 'allow-all-gateway';
    }
  | { allowed: false; reason: 'no-user' | 'not-allowed' | 'no-allowlist' };

/**
 * Events are not people (spec 3.1 step 1), and a request/reply client already proved itself to its
 * platform (the API server's key, or loopback only without one): neither has users to allow.
 */
const hasNoUsers = (profile: PlatformProfile) => profile.kind !== 'chat';

const listOf = (env: EnvLike, name: string | undefined) => (name ? envList(env, name) : []);

/**
 * The classic authorization order of the Python gateway (spec 3.1): event platforms, then
 * `<P>_ALLOW_ALL_USERS`, pairing approvals, `<P>_ALLOWED_USERS` ∪ `GATEWAY_ALLOWED_USERS`, and last
 * `GATEWAY_ALLOW_ALL_USERS`. Everything else is denied. The env names and the id rule come from the
 * platform's profile.
 */
export async function authorize(
  msg: Pick<InboundMessage, 'chat' | 'sender'>,
  profile: PlatformProfile,
  env: EnvLike,
  pairing: Pick<PairingStore, 'isApproved'>,
): Promise<AccessDecision> {
  const platform = msg.chat.platform;
  if (hasNoUsers(profile)) return { allowed: true, via: 'event-platform' };
  const ids = [msg.sender.id, msg.sender.altId].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  if (ids.length === 0) return { allowed: false, reason: 'no-user' };
  if (profile.allowAllUsersEnv && envFlag(env, profile.allowAllUsersEnv))
    return { allowed: true, via: 'allow-all-platform' };
  const allowlist = [...listOf(env, profile.allowedUsersEnv), ...envList(env, 'GATEWAY_ALLOWED_USERS')].map(
    (id) => profile.normalizeUserId(id),
  );
  // Roles count as part of the allowlist (spec 3.4: Discord's allowed roles admit their members).
  const roles = listOf(env, profile.allowedRolesEnv).map((r) => r.toLowerCase());
  if (roles.length > 0 && (msg.sender.roles ?? []).some((r) => roles.includes(r.toLowerCase()))) {
    return { allowed: true, via: 'role' };
  }
  const mine = ids.map((id) => profile.normalizeUserId(id));
  if (allowlist.includes('*') || mine.some((id) => allowlist.includes(id)))
    return { allowed: true, via: 'allowlist' };
  // After the lists, which cost nothing: with replicas the pairing is a database read. One id after the
  // other: the alternate id is looked up only when the first is not approved.
  for (const id of ids) if (await pairing.isApproved(platform, id)) return { allowed: true, via: 'pairing' };
  if (allowlist.length > 0 || roles.length > 0) return { allowed: false, reason: 'not-allowed' };
  if (envFlag(env, 'GATEWAY_ALLOW_ALL_USERS')) return { allowed: true, via: 'allow-all-gateway' };
  return { allowed: false, reason: 'no-allowlist' };
}

/** True when nobody could ever be allowed in: the gateway warns about this at startup. */
export function nothingAllowed(env: EnvLike, profiles: readonly PlatformProfile[]): boolean {
  if (envFlag(env, 'GATEWAY_ALLOW_ALL_USERS') || envList(env, 'GATEWAY_ALLOWED_USERS').length > 0)
    return false;
  return profiles.every(
    (p) =>
      !hasNoUsers(p) &&
      !(p.allowAllUsersEnv && envFlag(env, p.allowAllUsersEnv)) &&
      listOf(env, p.allowedUsersEnv).length === 0 &&
      listOf(env, p.allowedRolesEnv).length === 0,
  );
}
