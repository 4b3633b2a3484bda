import type { PlatformConnectionScope, PlatformDescriptor, PlatformKind } from '@hermes/adapter-core';

/**
 * What the host knows about one platform, all of it from the platform's descriptor: its kind, the env
 * names of its allowlists and home channel, its secrets, and how its user ids compare. Nothing else in
 * the host turns a platform id into an env name or an id rule.
 */
export interface PlatformProfile {
  platform: string;
  kind: PlatformKind;
  /** With several replicas: `exclusive` connections are held by one replica at a time. */
  connectionScope: PlatformConnectionScope;
  allowedUsersEnv?: string;
  allowAllUsersEnv?: string;
  allowedRolesEnv?: string;
  homeChannelEnv?: string;
  /** What an unknown user's DM gets unless `platforms.<p>.unauthorized_dm_behavior` says otherwise. */
  unauthorizedDmDefault?: 'pair' | 'ignore';
  secretEnv: readonly string[];
  normalizeUserId(id: string): string;
}

const trimmed = (id: string) => id.trim();

export function profileFromDescriptor(d: PlatformDescriptor<unknown>): PlatformProfile {
  const profile: PlatformProfile = {
    platform: d.platform,
    kind: d.kind ?? 'chat',
    connectionScope: d.connectionScope ?? 'exclusive',
    secretEnv: d.secretEnv,
    normalizeUserId: d.normalizeUserId ? (id) => d.normalizeUserId!(id.trim()) : trimmed,
  };
  if (d.allowedUsersEnv) profile.allowedUsersEnv = d.allowedUsersEnv;
  if (d.allowAllUsersEnv) profile.allowAllUsersEnv = d.allowAllUsersEnv;
  if (d.allowedRolesEnv) profile.allowedRolesEnv = d.allowedRolesEnv;
  if (d.homeChannelEnv) profile.homeChannelEnv = d.homeChannelEnv;
  if (d.unauthorizedDmDefault) profile.unauthorizedDmDefault = d.unauthorizedDmDefault;
  return profile;
}

/**
 * The profile of an adapter handed to the host without a descriptor (a bot embedding the host, tests):
 * the Hermes naming convention `<PLATFORM>_ALLOWED_USERS`, `<PLATFORM>_ALLOW_ALL_USERS`,
 * `<PLATFORM>_HOME_CHANNEL`, as a chat platform with ids compared as written.
 */
export function conventionalProfile(platform: string, kind: PlatformKind = 'chat'): PlatformProfile {
  const prefix = platform.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return {
    platform,
    kind,
    connectionScope: 'exclusive',
    allowedUsersEnv: `${prefix}_ALLOWED_USERS`,
    allowAllUsersEnv: `${prefix}_ALLOW_ALL_USERS`,
    homeChannelEnv: `${prefix}_HOME_CHANNEL`,
    secretEnv: [],
    normalizeUserId: trimmed,
  };
}
