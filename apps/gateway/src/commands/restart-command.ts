import type { CommandSpec } from './registry.js';

/** `/restart` (spec 1.10): admins only; drains running turns and lets the service manager start it again. */
export const restartCommand: CommandSpec = {
  name: 'restart',
  summary: 'restart the gateway service (admins; running turns finish first)',
  bypass: false,
  handle(ctx) {
    if (!ctx.isAdmin())
      return {
        kind: 'reply',
        text: 'Only admins may restart the gateway: add <platform>:<your user id> to gateway.allow_admin_from in config.yaml.',
      };
    if (!ctx.requestRestart())
      return {
        kind: 'reply',
        text: 'This gateway runs in the foreground, so nothing would start it again: restart it where it runs, or install it as a service (`hermes gateway install`).',
      };
    return { kind: 'reply', text: '♻️ Restarting: running turns finish first, then I say when I am back.' };
  },
};
