import { randomBytes } from 'node:crypto';
import { apiMessage, type FakeMessageStore } from './fake-messages.js';
import { apiChannel, apiMember, apiUser, type Json } from './fake-payloads.js';
import type { FakeWorld } from './fake-world.js';

/** How long Discord waits for the first callback of an interaction before it fails it. */
export const FAKE_INTERACTION_ACK_MS = 3_000;

export type FakeInteractionState = 'pending' | 'acknowledged' | 'failed';

/** A button press the fake delivered, and what became of it. */
export interface FakeInteraction {
  id: string;
  token: string;
  messageId: string;
  channelId: string;
  userId: string;
  customId: string;
  createdAt: number;
  state: FakeInteractionState;
  /** Callback type of the first accepted callback (6 = DEFERRED_UPDATE_MESSAGE). */
  callbackType?: number;
  callbackAt?: number;
  /** Callbacks refused (late, repeated, unknown type), as Discord's error codes. */
  refused: number[];
  /** The INTERACTION_CREATE payload, for redelivery. */
  payload: Json;
}

export interface FakePressInput {
  messageId: string;
  customId: string;
  /** Default: Alice. */
  userId: string;
}

type Answer = { status: number; body?: unknown };

/**
 * Button presses: builds INTERACTION_CREATE (type 3, MESSAGE_COMPONENT) payloads and answers the
 * interaction callback endpoint as Discord does: the first callback must come within 3 s, only once,
 * with a valid type; an interaction left unanswered for 3 s is marked failed (the user sees "This
 * interaction failed") and a callback after that gets 10062 Unknown interaction.
 */
export class FakeInteractions {
  readonly all: FakeInteraction[] = [];
  readonly #byId = new Map<string, FakeInteraction>();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly world: FakeWorld,
    private readonly store: FakeMessageStore,
    private readonly newId: () => string,
    private readonly changed: () => void,
  ) {}

  create(input: FakePressInput): FakeInteraction {
    const message = this.store.get(input.messageId);
    if (!message) throw new Error(`fake discord: unknown message ${input.messageId}`);
    const channel = this.world.channels.get(message.channelId);
    if (!channel) throw new Error(`fake discord: unknown channel ${message.channelId}`);
    const user = this.world.users.get(input.userId);
    if (!user) throw new Error(`fake discord: unknown user ${input.userId}`);
    const id = this.newId();
    const token = `aW50ZXJhY3Rpb246${randomBytes(24).toString('base64url')}`;
    const guildId = channel.guildId;
    const payload: Json = {
      id,
      application_id: this.world.botId,
      type: 3,
      data: { custom_id: input.customId, component_type: 2 },
      channel_id: channel.id,
      channel: apiChannel(this.world, channel),
      token,
      version: 1,
      message: apiMessage(this.world, this.store, message),
      app_permissions: '0',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId ?? this.world.botId },
      context: guildId ? 0 : 1,
      attachment_size_limit: 10 * 1024 * 1024,
      ...(guildId
        ? {
            guild_id: guildId,
            guild_locale: 'en-US',
            member: { ...apiMember(this.world, user.id, true), permissions: '0' },
          }
        : { user: apiUser(user) }),
    };
    const interaction: FakeInteraction = {
      id,
      token,
      messageId: message.id,
      channelId: channel.id,
      userId: user.id,
      customId: input.customId,
      createdAt: Date.now(),
      state: 'pending',
      refused: [],
      payload,
    };
    this.all.push(interaction);
    this.#byId.set(id, interaction);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (interaction.state === 'pending') {
        interaction.state = 'failed';
        this.changed();
      }
    }, FAKE_INTERACTION_ACK_MS);
    timer.unref();
    this.#timers.add(timer);
    return interaction;
  }

  get(id: string): FakeInteraction | undefined {
    return this.#byId.get(id);
  }

  /** POST /interactions/{id}/{token}/callback. Needs no bot token: the interaction token is the credential. */
  callback(id: string, token: string, body: Json | undefined): Answer {
    const interaction = this.#byId.get(id);
    if (!interaction || interaction.token !== token)
      return refuse(undefined, 404, 10062, 'Unknown interaction');
    if (interaction.state === 'failed' || Date.now() - interaction.createdAt > FAKE_INTERACTION_ACK_MS)
      return refuse(interaction, 404, 10062, 'Unknown interaction', true, this.changed);
    if (interaction.state === 'acknowledged')
      return refuse(
        interaction,
        400,
        40060,
        'Interaction has already been acknowledged.',
        false,
        this.changed,
      );
    const type = body?.['type'];
    // 4 message, 5 deferred message, 6 deferred update, 7 update, 9 modal: what a component may answer.
    if (typeof type !== 'number' || ![4, 5, 6, 7, 9].includes(type))
      return refuse(interaction, 400, 50035, 'Invalid Form Body', false, this.changed);
    interaction.state = 'acknowledged';
    interaction.callbackType = type;
    interaction.callbackAt = Date.now();
    this.changed();
    return { status: 204 };
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

function refuse(
  interaction: FakeInteraction | undefined,
  status: number,
  code: number,
  message: string,
  fail = false,
  changed?: () => void,
): Answer {
  if (interaction) {
    interaction.refused.push(code);
    if (fail) interaction.state = 'failed';
    changed?.();
  }
  return { status, body: { message, code } };
}
