// @ts-check
/** src/adapter.ts, src/descriptor.ts and src/index.ts: the public face of the package. */

/** @typedef {import('../names.mjs').PlatformNames} PlatformNames */

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function adapterTs(n) {
  const P = n.pascal;
  return `import {
  type AdapterContext,
  alreadyStartedError,
  type AdapterLiveness,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createSendPacer,
  DedupeCache,
  isAdapterError,
  isFatalConnectionError,
  LivenessTracker,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendPacer,
  type SendResult,
  silentLogger,
  toAdapterError,
} from '@hermes/adapter-core';
import { type ${P}Config, type ${P}ConfigInput, parse${P}Config } from './config.js';
import { ${n.constant}_CAPABILITIES } from './format.js';
import { map${P}Inbound } from './inbound.js';
import { send${P}Message } from './outbound.js';
import { ${P}Transport } from './transport.js';

const PLATFORM = '${n.id}';

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  transport: ${P}Transport;
  supervisor: ConnectionSupervisor;
  pacer: SendPacer;
  dedupe: DedupeCache;
  botUserId: string | undefined;
}

/**
 * No reconnect repairs these: wrong credentials, bad config, and the scaffold's unimplemented methods
 * (so a stub fails start() at once instead of retrying forever).
 */
function isFatal(error: unknown): boolean {
  return isFatalConnectionError(error) || (isAdapterError(error) && error.code === 'unsupported');
}

/**
 * The ${n.label} platform adapter: events in through ctx.receive(), messages out through send().
 * TODO(scaffold): where ${n.label} has them, add buttons (OutboundMessage.actions, ctx.receiveAction,
 * settleActions, capabilities.buttons) and native streaming (startStream, capabilities.nativeStreaming).
 */
export class ${P}Adapter implements PlatformAdapter {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities = ${n.constant}_CAPABILITIES;
  // Private: the config holds the token, and nothing public may expose it (the conformance suite checks).
  readonly #config: ${P}Config;
  #running: Running | undefined;
  // TODO(scaffold): the heartbeat interval ${n.label} promises while connected (undefined if it has none).
  readonly #liveness = new LivenessTracker(30_000);

  constructor(config: ${P}ConfigInput) {
    this.#config = parse${P}Config(config);
  }

  /** What the adapter saw last: the host's watchdog reconnects it when its heartbeat goes quiet. */
  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) {
      throw alreadyStartedError(PLATFORM, '${P}Adapter');
    }
    const transport = new ${P}Transport({
      config: this.#config,
      logger: ctx.logger,
      onPayload: (payload) => this.#onPayload(payload),
    });
    const supervisor = new ConnectionSupervisor({
      name: PLATFORM,
      logger: ctx.logger,
      connect: (signal) => transport.connect(signal),
      onStatus: (status, detail) => ctx.status(status, detail),
      onActivity: () => this.#liveness.heartbeat(),
      isFatal,
      signal: ctx.signal,
    });
    // TODO(scaffold): set perChat / global buckets from ${n.label}'s documented rate limits.
    const pacer = createSendPacer({ logger: ctx.logger });
    const running: Running = { ctx, transport, supervisor, pacer, dedupe: new DedupeCache(), botUserId: undefined };
    this.#running = running;
    this.#liveness.resetHeartbeat();
    try {
      // TODO(scaffold): if the platform does not tell who the bot is on connect, ask here so echoes can be dropped.
      await supervisor.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.supervisor.stop();
    running.pacer.close();
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(PLATFORM, '${P}Adapter', 'send');
    const result = await send${P}Message(running.transport, running.pacer, chat, message);
    if (result.ok) this.#liveness.sent();
    return result;
  }

  async probe(): Promise<ProbeResult> {
    const transport = new ${P}Transport({ config: this.#config, logger: this.#running?.ctx.logger ?? silentLogger, onPayload: () => {} });
    try {
      const me = await transport.whoAmI(AbortSignal.timeout(10_000));
      return { ok: true, identity: me.name ?? me.id };
    } catch (error) {
      const adapterError = toAdapterError(error, PLATFORM);
      return adapterError.fix === undefined ? { ok: false, error: adapterError } : { ok: false, error: adapterError, fix: adapterError.fix };
    }
  }

  #onPayload(payload: unknown): void {
    const running = this.#running;
    if (!running) return;
    running.supervisor.markActivity();
    const result = map${P}Inbound(payload, {
      botUserId: running.botUserId,
      media: {
        cache: running.ctx.mediaCache,
        maxBytes: this.#config.maxMediaBytes,
        allowPrivate: this.#config.allowPrivateMedia,
      },
      now: () => new Date(),
    });
    if (result.kind === 'malformed') {
      running.ctx.logger.warn('dropped a malformed ${n.label} payload', { platform: PLATFORM, problem: result.problem });
      return;
    }
    if (result.kind === 'ignored') {
      running.ctx.logger.debug('ignored a ${n.label} payload', { platform: PLATFORM, reason: result.reason });
      return;
    }
    // Platforms redeliver after a reconnect; the host must see each message once.
    if (running.dedupe.seen(result.message.id)) return;
    this.#liveness.inbound();
    running.ctx.receive(result.message);
  }
}

/** Validates the config (throws AdapterError 'config_invalid' naming the key) and builds the adapter. */
export function create${P}Adapter(config: ${P}ConfigInput): ${P}Adapter {
  return new ${P}Adapter(config);
}
`;
}

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function descriptorTs(n) {
  const P = n.pascal;
  const ENV = `${n.constant}_ENV`;
  return `import type { PlatformDescriptor } from '@hermes/adapter-core';
import { create${P}Adapter } from './adapter.js';
import { configFromEnv, ${ENV}, type ${P}Config, ${n.camel}ConfigSchema } from './config.js';

/** What the gateway's platform catalog needs: how to tell the platform is enabled, what to ask for, how to build it. */
export const ${n.camel}Descriptor: PlatformDescriptor<${P}Config> = {
  platform: '${n.id}',
  label: '${n.label}',
  requiredEnv: [${ENV}.token],
  optionalEnv: [${ENV}.apiUrl, ${ENV}.allowedUsers, ${ENV}.allowAllUsers, ${ENV}.homeChannel],
  secretEnv: [${ENV}.token],
  allowedUsersEnv: ${ENV}.allowedUsers,
  allowAllUsersEnv: ${ENV}.allowAllUsers,
  homeChannelEnv: ${ENV}.homeChannel,
  // TODO(scaffold): where to create the bot on ${n.label}, which permissions it needs, what to copy where.
  setupHelp: \`Create a ${n.label} bot, then set \${${ENV}.token} in ~/.hermes/.env and list who may talk to it in \${${ENV}.allowedUsers}.\`,
  configSchema: ${n.camel}ConfigSchema,
  configFromEnv,
  createAdapter: (config) => create${P}Adapter(config),
};
`;
}

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function indexTs(n) {
  const P = n.pascal;
  return `export { ${P}Adapter, create${P}Adapter } from './adapter.js';
export {
  configFromEnv,
  ${n.constant}_ENV,
  type ${P}Config,
  type ${P}ConfigInput,
  ${n.camel}ConfigSchema,
  parse${P}Config,
} from './config.js';
export { ${n.camel}Descriptor } from './descriptor.js';
export { ${n.constant}_CAPABILITIES } from './format.js';
`;
}
