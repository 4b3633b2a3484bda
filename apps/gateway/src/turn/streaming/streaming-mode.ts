import type { PlatformAdapter } from '@hermes/adapter-core';

export type StreamingMode = 'off' | 'edit' | 'native';

const MODES: readonly StreamingMode[] = ['off', 'edit', 'native'];

export interface StreamingSettings {
  display: { streaming?: StreamingMode | undefined };
  platforms: Record<string, { streaming?: StreamingMode | undefined } | undefined>;
}

export interface ResolvedStreaming {
  mode: StreamingMode;
  /** HERMES_STREAMING held something else; the caller says so once. */
  invalidEnv?: string;
}

/**
 * The platform's own `streaming` first, then HERMES_STREAMING, then `display.streaming`, else the best the
 * adapter has. A mode the adapter cannot do degrades (native → edit → off) rather than failing the reply.
 */
export function resolveStreaming(
  file: StreamingSettings,
  env: Record<string, string | undefined>,
  adapter: Pick<PlatformAdapter, 'platform' | 'capabilities' | 'edit' | 'startStream'>,
): ResolvedStreaming {
  const canNative = Boolean(adapter.capabilities.nativeStreaming && adapter.startStream);
  const canEdit = Boolean(adapter.capabilities.edit && adapter.edit);
  const best: StreamingMode = canNative ? 'native' : canEdit ? 'edit' : 'off';
  const raw = env.HERMES_STREAMING?.trim();
  const fromEnv = raw && (MODES as readonly string[]).includes(raw) ? (raw as StreamingMode) : undefined;
  const asked = file.platforms[adapter.platform]?.streaming ?? fromEnv ?? file.display.streaming ?? best;
  let mode = asked;
  if (mode === 'native' && !canNative) mode = 'edit';
  if (mode === 'edit' && !canEdit) mode = 'off';
  return raw && !fromEnv ? { mode, invalidEnv: raw } : { mode };
}
