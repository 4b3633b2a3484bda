import {
  type AdapterContext,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createSendPacer,
  DedupeCache,
  LivenessTracker,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type PlatformAgentTool,
  type ProbeResult,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import {
  HOME_ASSISTANT_PLATFORM,
  type HomeAssistantConfig,
  type HomeAssistantConfigInput,
  parseHomeAssistantConfig,
} from './config.js';
import { EntityCooldown, isWatched } from './event-gate.js';
import { HOME_ASSISTANT_CAPABILITIES } from './format.js';
import {
  type HomeAssistantStateChange,
  homeAssistantInboundMessage,
  parseHomeAssistantEvent,
  renderHomeAssistantChange,
} from './inbound.js';
import { sendHomeAssistantMessage } from './outbound.js';
import { homeAssistantTools } from './tools.js';
import { HomeAssistantTransport } from './transport.js';

const PING_INTERVAL_MS = 30_000;
const PING_TIMEOUT_MS = 10_000;

interface Running {
  ctx: AdapterContext;
  supervisor: ConnectionSupervisor;
  pacer: SendPacer;
  dedupe: DedupeCache;
  cooldown: EntityCooldown;
}

/**
 * Home Assistant as an event platform: watched state changes become messages in the `ha_events` chat,
 * replies become persistent notifications, and the agent gets the `ha_*` tools to look and act.
 */
export class HomeAssistantAdapter implements PlatformAdapter {
  readonly platform = HOME_ASSISTANT_PLATFORM;
  readonly capabilities: Capabilities = HOME_ASSISTANT_CAPABILITIES;
  readonly #config: HomeAssistantConfig;
  // One transport for the adapter's lifetime: the tools hold it, and it follows each new connection.
  readonly #transport: HomeAssistantTransport;
  readonly #liveness = new LivenessTracker(PING_INTERVAL_MS);
  #running: Running | undefined;

  constructor(config: HomeAssistantConfigInput) {
    this.#config = parseHomeAssistantConfig(config);
    this.#transport = new HomeAssistantTransport({
      config: this.#config,
      onEvent: (event) => this.#onEvent(event),
      onMalformed: (problem) =>
        this.#running?.ctx.logger.warn('dropped a malformed Home Assistant frame', {
          platform: HOME_ASSISTANT_PLATFORM,
          problem,
        }),
    });
  }

  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  agentTools(): readonly PlatformAgentTool[] {
    return homeAssistantTools(this.#transport, this.#config);
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) {
      throw alreadyStartedError(HOME_ASSISTANT_PLATFORM, 'HomeAssistantAdapter');
    }
    const c = this.#config;
    if (!c.watchAll && c.watchDomains.length === 0 && c.watchEntities.length === 0)
      ctx.logger.warn(
        'Home Assistant: no watch_domains, watch_entities or watch_all in platforms.homeassistant, so no state change reaches the agent (its ha_* tools still work)',
        { platform: HOME_ASSISTANT_PLATFORM },
      );
    const supervisor = new ConnectionSupervisor({
      name: HOME_ASSISTANT_PLATFORM,
      logger: ctx.logger,
      connect: (signal) => this.#transport.connect(signal),
      backoff: { kind: 'schedule', delaysMs: c.reconnectDelaysSeconds.map((s) => s * 1000), jitter: 0.2 },
      heartbeat: {
        intervalMs: PING_INTERVAL_MS,
        timeoutMs: PING_TIMEOUT_MS,
        send: () => this.#transport.ping(),
      },
      onStatus: (status, detail) => ctx.status(status, detail),
      onActivity: () => this.#liveness.heartbeat(),
      signal: ctx.signal,
    });
    this.#running = {
      ctx,
      supervisor,
      pacer: createSendPacer({ logger: ctx.logger }),
      // Context ids are unique per change; a day's worth of a busy home fits.
      dedupe: new DedupeCache({ maxEntries: 10_000, ttlMs: 3_600_000 }),
      cooldown: new EntityCooldown(c.cooldownSeconds * 1000, (change) => this.#deliver(change)),
    };
    this.#liveness.resetHeartbeat();
    try {
      await supervisor.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, HOME_ASSISTANT_PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    running.cooldown.clear();
    await running.supervisor.stop();
    running.pacer.close();
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) {
      return notConnectedResult(HOME_ASSISTANT_PLATFORM, 'HomeAssistantAdapter', 'send');
    }
    const result = await sendHomeAssistantMessage(this.#transport, running.pacer, chat, message);
    if (result.ok) this.#liveness.sent();
    return result;
  }

  async probe(): Promise<ProbeResult> {
    try {
      return { ok: true, identity: await this.#transport.probe() };
    } catch (error) {
      const e = toAdapterError(error, HOME_ASSISTANT_PLATFORM);
      const fix =
        e.code === 'auth_failed'
          ? 'Create a long-lived access token (your profile → Security) and set it as HASS_TOKEN.'
          : `Check that HASS_URL (${this.#config.url}) reaches Home Assistant from this machine.`;
      return { ok: false, error: e, fix };
    }
  }

  #onEvent(event: unknown): void {
    const running = this.#running;
    if (!running) return;
    running.supervisor.markActivity();
    const parsed = parseHomeAssistantEvent(event);
    if (parsed.kind === 'malformed') {
      running.ctx.logger.warn('dropped a malformed Home Assistant event', {
        platform: HOME_ASSISTANT_PLATFORM,
        problem: parsed.problem,
      });
      return;
    }
    if (parsed.kind === 'ignored') return;
    const watched = isWatched(parsed.change.entityId, this.#config);
    if (!watched.forward) return;
    if (running.dedupe.seen(parsed.change.id)) return;
    running.cooldown.offer(parsed.change);
  }

  #deliver(change: HomeAssistantStateChange): void {
    const running = this.#running;
    if (!running) return;
    this.#liveness.inbound();
    running.ctx.receive(homeAssistantInboundMessage(change, renderHomeAssistantChange(change)));
  }
}

export function createHomeAssistantAdapter(config: HomeAssistantConfigInput): HomeAssistantAdapter {
  return new HomeAssistantAdapter(config);
}
