/**
 * Where a message goes, as operators and the agent write it (webhook `deliver`, cron `deliver`,
 * `send_message`, the CLI): `home` (the home channel of the platform the conversation is on),
 * `<platform>` (that platform's home channel), `<platform>:<chat>` or `<platform>:<chat>:<thread>`.
 */
export type MessageTarget =
  | { kind: 'home' }
  | { kind: 'platform'; platform: string; chatId?: string; threadId?: string };

export type ParsedMessageTarget =
  | { ok: true; target: MessageTarget; normalized: string }
  | { ok: false; error: string };

const PLATFORM = /^[a-z][a-z0-9_-]{0,31}$/;
const MAX_TARGET = 256;
const SYNTAX = 'Use "home", "<platform>", "<platform>:<chat_id>" or "<platform>:<chat_id>:<thread_id>".';

/**
 * Matrix room ids and aliases carry their server after a colon (`!abc:example.org`), so on Matrix the
 * chat part keeps one colon; everywhere else the first colon after the platform ends the chat id.
 */
function splitChatAndThread(platform: string, rest: string): [string, string | undefined] {
  const parts = rest.split(':');
  const takes = platform === 'matrix' && /^[!#@]/.test(rest) && parts.length >= 2 ? 2 : 1;
  const chat = parts.slice(0, takes).join(':');
  const thread = parts.length > takes ? parts.slice(takes).join(':') : undefined;
  return [chat, thread];
}

export function formatMessageTarget(target: MessageTarget): string {
  if (target.kind === 'home') return 'home';
  return [target.platform, target.chatId, target.threadId].filter((p) => p !== undefined).join(':');
}

export function parseMessageTarget(raw: string, knownPlatforms?: readonly string[]): ParsedMessageTarget {
  const text = raw.trim();
  if (!text) return { ok: false, error: `The target is empty. ${SYNTAX}` };
  if (text.length > MAX_TARGET)
    return { ok: false, error: `The target is longer than ${MAX_TARGET} characters.` };
  if (/\s/.test(text)) return { ok: false, error: `The target "${text}" contains spaces. ${SYNTAX}` };
  if (text.toLowerCase() === 'home') return { ok: true, target: { kind: 'home' }, normalized: 'home' };

  const colon = text.indexOf(':');
  const platform = (colon === -1 ? text : text.slice(0, colon)).toLowerCase();
  if (!PLATFORM.test(platform))
    return { ok: false, error: `"${platform}" is not a platform name. ${SYNTAX}` };
  if (knownPlatforms && !knownPlatforms.includes(platform)) {
    const list = knownPlatforms.length ? knownPlatforms.join(', ') : 'none';
    return { ok: false, error: `The platform "${platform}" is not connected. Connected platforms: ${list}.` };
  }
  const target: MessageTarget = { kind: 'platform', platform };
  if (colon !== -1) {
    const [chat, thread] = splitChatAndThread(platform, text.slice(colon + 1));
    if (!chat) return { ok: false, error: `The chat id after "${platform}:" is empty. ${SYNTAX}` };
    target.chatId = chat;
    if (thread !== undefined) {
      if (!thread || thread.includes(':')) {
        return { ok: false, error: `The thread id in "${text}" is empty or malformed. ${SYNTAX}` };
      }
      target.threadId = thread;
    }
  }
  return { ok: true, target, normalized: formatMessageTarget(target) };
}
