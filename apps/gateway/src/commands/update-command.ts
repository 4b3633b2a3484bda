import { randomBytes } from 'node:crypto';
import type { ChatRef, InboundAction, MessageAction } from '@hermes/adapter-core';
import type { CommandOutcome, CommandSpec } from './registry.js';
import { type GatewayPackage, PACKAGE_NAME } from './update/gateway-package.js';
import { describeInstall, type InstallKind, updateInstructions } from './update/install-kind.js';
import { compareVersions } from './update/npm-cli.js';
import {
  clearUpdateFiles,
  readExitCode,
  readPending,
  type UpdateFiles,
  writePending,
} from './update/update-files.js';
import type { LaunchResult } from './update/update-launcher.js';

/** How the command talks to a chat outside its own reply: buttons, settling them, notices. */
export interface UpdateChatIO {
  /** Sends the text with buttons where the platform has them; the id of the message carrying them, if any. */
  offer(chat: ChatRef, text: string, actions: MessageAction[], replyTo?: string): Promise<string | undefined>;
  hasButtons(platform: string): boolean;
  settle(chat: ChatRef, messageId: string, outcome: string): Promise<void>;
  deliver(chat: ChatRef, text: string): Promise<void>;
}

export interface UpdateCommandDeps {
  files: UpdateFiles;
  /** This gateway's package; undefined when it cannot be found (then nothing is run). */
  pkg: GatewayPackage | undefined;
  install(): Promise<InstallKind>;
  latest(): Promise<{ ok: true; version: string } | { ok: false; reason: string }>;
  /** Spec `allow_update_command`, resolved for the platform. */
  allowed(platform: string): boolean;
  isAdmin(platform: string, userId: string): boolean;
  /** Starts `npm install -g <spec>` detached. */
  launch(spec: string): LaunchResult;
  /** Starts watching `.update_exit_code`. */
  watch(): void;
  io: UpdateChatIO;
  logger: {
    info(msg: string, f?: Record<string, unknown>): void;
    warn(msg: string, f?: Record<string, unknown>): void;
  };
  now?: () => number;
}

/** How long an offer to run the update can be confirmed. */
export const OFFER_TTL_MS = 10 * 60_000;
const ACTION_PREFIX = 'update:';

interface Offer {
  id: string;
  chat: ChatRef;
  version: string;
  expiresAt: number;
  messageId?: string;
}

const reply = (text: string): CommandOutcome => ({ kind: 'reply', text });
const sameChat = (a: ChatRef, b: ChatRef) =>
  a.platform === b.platform && a.chatId === b.chatId && (a.threadId ?? '') === (b.threadId ?? '');

const NOT_ADMIN =
  'Only admins may update the gateway: add <platform>:<your user id> to gateway.allow_admin_from in config.yaml.';
const notAllowed = (platform: string) =>
  `/update is turned off for ${platform}: set platforms.${platform}.allow_update_command: true in config.yaml to allow it.`;

/**
 * `/update` (spec 4.2), admins only: the installed and the latest published version and how to update this
 * install. Only a global npm install is updated from the chat, and only after a confirmation (a button, or
 * `/update confirm`): `npm install -g` runs detached and a watcher reports its end (spec's three files).
 */
export function createUpdateCommand(deps: UpdateCommandDeps): CommandSpec {
  const offers = new Map<string, Offer>();
  const now = () => deps.now?.() ?? Date.now();

  const running = (): string | undefined => {
    const p = readPending(deps.files);
    if (!p || readExitCode(deps.files) !== undefined) return undefined;
    return `⚕ An update to ${p.version} is already running (since ${new Date(p.started_at).toISOString().slice(11, 16)} UTC); I'll report here when it ends.`;
  };

  function begin(offer: Offer, chat: ChatRef): string {
    const busy = running();
    if (busy) return busy;
    clearUpdateFiles(deps.files);
    writePending(deps.files, {
      platform: chat.platform,
      chat_id: chat.chatId,
      thread_id: chat.threadId ?? null,
      chat_type: chat.chatType,
      version: offer.version,
      started_at: now(),
    });
    const spec = `${PACKAGE_NAME}@${offer.version}`;
    const launched = deps.launch(spec);
    if (!launched.ok) {
      clearUpdateFiles(deps.files);
      return `❌ The update could not be started: ${launched.reason}. Run \`npm i -g ${spec}\` yourself, then restart the gateway.`;
    }
    deps.logger.info('update started', { spec, via: launched.via });
    deps.watch();
    return `⚕ Starting Hermes update… I'll notify you when it's done. (\`npm install -g ${spec}\`)`;
  }

  function dropOffers(chat: ChatRef): Offer[] {
    const dropped: Offer[] = [];
    for (const [id, o] of offers)
      if (sameChat(o.chat, chat) || o.expiresAt < now()) {
        offers.delete(id);
        if (sameChat(o.chat, chat) && o.expiresAt >= now()) dropped.push(o);
      }
    return dropped;
  }

  async function settleOffers(list: Offer[], outcome: string): Promise<void> {
    for (const o of list) if (o.messageId) await deps.io.settle(o.chat, o.messageId, outcome);
  }

  async function overview(chat: ChatRef, replyTo: string): Promise<CommandOutcome> {
    const installed = deps.pkg?.version ?? 'unknown';
    const [install, latest] = await Promise.all([deps.install(), deps.latest()]);
    const lines = [`⚕ Hermes Gateway ${installed} (${describeInstall(install)})`];
    let newer: string | undefined;
    if (!latest.ok) lines.push(`Latest published: could not check (${latest.reason}).`);
    else {
      const cmp = deps.pkg ? compareVersions(latest.version, deps.pkg.version) : 1;
      lines.push(`Latest published: ${latest.version}${cmp <= 0 ? ' — you are up to date.' : ''}`);
      if (cmp > 0) newer = latest.version;
    }
    const target = newer ?? (latest.ok ? latest.version : undefined);
    lines.push(`To update: ${updateInstructions(install, target)}.`);
    if (install.kind !== 'npm-global' || !newer || !deps.pkg) {
      if (install.kind !== 'npm-global') lines.push('I run the update myself only for a global npm install.');
      return reply(lines.join('\n'));
    }
    await settleOffers(dropOffers(chat), '⌛ Replaced by a newer /update');
    const offer: Offer = {
      id: randomBytes(6).toString('hex'),
      chat,
      version: newer,
      expiresAt: now() + OFFER_TTL_MS,
    };
    offers.set(offer.id, offer);
    const buttons = deps.io.hasButtons(chat.platform);
    lines.push(
      buttons
        ? 'I can run it now: press **Update now**, or send /update confirm within 10 minutes.'
        : 'I can run it now: send /update confirm within 10 minutes.',
    );
    if (!buttons) return reply(lines.join('\n'));
    const messageId = await deps.io.offer(
      chat,
      lines.join('\n'),
      [
        { id: `${ACTION_PREFIX}confirm:${offer.id}`, label: 'Update now', style: 'primary' },
        { id: `${ACTION_PREFIX}cancel:${offer.id}`, label: 'Cancel' },
      ],
      replyTo,
    );
    if (messageId !== undefined) offer.messageId = messageId;
    return { kind: 'silent' };
  }

  return {
    name: 'update',
    summary: 'installed and latest version, and how to update (admins; /update confirm runs it)',
    bypass: false,
    async handle(ctx, args) {
      const chat = ctx.msg.chat;
      if (!ctx.isAdmin()) return reply(NOT_ADMIN);
      if (!deps.allowed(chat.platform)) return reply(notAllowed(chat.platform));
      const word = args.trim().toLowerCase();
      if (word === '' || word === 'check') {
        const busy = running();
        if (busy) return reply(busy);
        return overview(chat, ctx.msg.id);
      }
      if (word === 'cancel') {
        const dropped = dropOffers(chat);
        await settleOffers(dropped, '✖️ Cancelled');
        return reply(dropped.length ? 'Update cancelled.' : 'Nothing to cancel.');
      }
      if (word === 'confirm') {
        const [offer] = dropOffers(chat);
        if (!offer) return reply('Nothing to confirm: send /update first (its offer lasts 10 minutes).');
        await settleOffers([offer], `✅ Confirmed by ${ctx.msg.sender.name ?? ctx.msg.sender.id}`);
        return reply(begin(offer, chat));
      }
      return reply(`Unknown option "${args.trim()}". Usage: /update | /update confirm | /update cancel`);
    },
    async handleAction(platform: string, action: InboundAction) {
      const [, verb, id] = action.actionId.split(':');
      if (!deps.isAdmin(platform, action.sender.id)) {
        deps.logger.warn('update button pressed by a non-admin; nothing done', { platform });
        return;
      }
      const offer = id ? offers.get(id) : undefined;
      if (id) offers.delete(id);
      if (!offer || offer.expiresAt < now() || !sameChat(offer.chat, action.chat)) {
        await deps.io.settle(action.chat, action.messageId, '⌛ Expired: send /update again.');
        return;
      }
      const name = action.sender.name ?? action.sender.id;
      if (verb !== 'confirm') {
        await deps.io.settle(action.chat, action.messageId, `✖️ Cancelled by ${name}`);
        return;
      }
      await deps.io.settle(action.chat, action.messageId, `✅ Confirmed by ${name}`);
      if (!deps.allowed(platform)) {
        await deps.io.deliver(action.chat, notAllowed(platform));
        return;
      }
      await deps.io.deliver(action.chat, begin(offer, offer.chat));
    },
  };
}
