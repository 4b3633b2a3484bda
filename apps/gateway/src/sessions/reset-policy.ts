import type { ChatType } from '@hermes/adapter-core';
import { defaultResetPolicy, type GatewayFileConfig, type ResetPolicyConfig } from '../config/schema.js';

/** Resolution order of spec 2.3: per platform, then per chat type, then the default policy. */
export function resolveResetPolicy(
  config: GatewayFileConfig,
  platform: string,
  chatType: ChatType,
  threaded: boolean,
): ResetPolicyConfig {
  const base: ResetPolicyConfig = { ...defaultResetPolicy, ...config.session_reset };
  const byPlatform = config.reset_by_platform[platform];
  if (byPlatform) return { ...base, ...byPlatform };
  const type = threaded ? 'thread' : chatType;
  const byType = config.reset_by_type[type];
  if (byType) return { ...base, ...byType };
  // Threads only reset under an explicit reset_by_type.thread.
  if (threaded) return { ...base, mode: 'none' };
  return base;
}

export type ResetReason = 'idle' | 'daily';

/** Most recent `atHour` boundary at or before `now`, in local time. */
function lastDailyBoundary(now: Date, atHour: number): Date {
  const b = new Date(now);
  b.setHours(atHour, 0, 0, 0);
  if (now.getTime() < b.getTime()) b.setDate(b.getDate() - 1);
  return b;
}

/** Whether a session last updated at `updatedAt` has expired under the policy; undefined when it has not. */
export function expiredReason(
  policy: ResetPolicyConfig,
  updatedAt: Date,
  now: Date,
): ResetReason | undefined {
  const idle = policy.mode === 'idle' || policy.mode === 'both';
  const daily = policy.mode === 'daily' || policy.mode === 'both';
  const idleMinutes = policy.idle_minutes > 0 ? policy.idle_minutes : 1440;
  if (idle && now.getTime() > updatedAt.getTime() + idleMinutes * 60_000) return 'idle';
  if (daily && updatedAt.getTime() < lastDailyBoundary(now, policy.at_hour).getTime()) return 'daily';
  return undefined;
}
