import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeTelegram, startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { startWecomFakeServer, type WecomFakeServer } from '@hermes/adapter-wecom/testing';
import { type FakeOpenAI, lastUserText, startFakeOpenAI, step } from '@hermes/agent/testing';
import { freePort, type GatewayProcess, gatewayEnv, startGatewayProcess } from './gateway-process.js';
import { type ApiTarget, makeTelegramUsers, type TrafficUser } from './replica-traffic.js';
import { makeWecomUsers, type WecomTrafficUser } from './replica-wecom.js';

/**
 * Several real `hermes gateway` processes on one PostgreSQL schema, sharing one fake Telegram, one fake
 * WeCom AI-bot gateway and one fake model, each with its own HERMES_HOME and API-server port. Between each replica and the fake
 * Telegram sits a tap (a loopback HTTP proxy) that records which replica made which Bot API call: the
 * fake alone cannot tell the replicas apart, and takeover times need exactly that. WeCom needs no tap: each
 * replica subscribes with a device_id named after it, and the fake records the device of every connection.
 */

export const API_KEY = 'replica-test-api-key-0123456789';

/** One Bot API call as the tap in front of a replica saw it. */
export interface TapCall {
  replica: string;
  method: string;
  at: number;
  status?: number;
  /** getUpdates: the offset asked for and the update ids answered (post-mortems). */
  offset?: number;
  updates?: number[];
  /** For send* calls made with a JSON body. */
  chatId?: number;
  text?: string;
}

interface Tap {
  url: string;
  close(): Promise<void>;
}

/** Notes a getUpdates call's offset and the update ids it was answered with. */
function recordUpdates(call: TapCall, request: Buffer, response: IncomingMessage): void {
  try {
    const asked = JSON.parse(request.toString('utf8')) as { offset?: unknown };
    if (typeof asked.offset === 'number') call.offset = asked.offset;
  } catch {
    // a form-encoded or empty body: no offset noted
  }
  const parts: Buffer[] = [];
  response.on('data', (b: Buffer) => parts.push(b));
  response.on('end', () => {
    try {
      const answer = JSON.parse(Buffer.concat(parts).toString('utf8')) as {
        result?: Array<{ update_id: number }>;
      };
      call.updates = (answer.result ?? []).map((u) => u.update_id);
    } catch {
      // cut off (the replica went away mid-answer)
    }
  });
}

/** A pass-through proxy to the fake Telegram that logs each call with the replica's name. */
async function startTap(upstream: URL, replica: string, log: TapCall[]): Promise<Tap> {
  const server: Server = createServer((req: IncomingMessage, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const method = /\/bot[^/]+\/([A-Za-z]+)$/.exec(req.url ?? '')?.[1] ?? req.url ?? '?';
      const call: TapCall = { replica, method, at: Date.now() };
      if (method.startsWith('send') && req.headers['content-type']?.includes('json')) {
        try {
          const parsed = JSON.parse(body.toString('utf8')) as { chat_id?: unknown; text?: unknown };
          if (typeof parsed.chat_id === 'number') call.chatId = parsed.chat_id;
          if (typeof parsed.text === 'string') call.text = parsed.text;
        } catch {
          // Not JSON after all: the call is still logged, without its text.
        }
      }
      log.push(call);
      const up = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host, 'content-length': String(body.length) },
        },
        (upRes) => {
          call.status = upRes.statusCode ?? 0;
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          if (method === 'getUpdates') recordUpdates(call, body, upRes);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      // The replica went away (kill -9): the fake must see its long poll end too.
      res.on('close', () => {
        if (!res.writableFinished) up.destroy();
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export type ReplicaState = 'running' | 'paused' | 'stopping' | 'dead';

export interface Replica {
  /** r1, r2, ... in start order (the gateway's own replica id is in its status file). */
  name: string;
  home: string;
  apiPort: number;
  process: GatewayProcess;
  startedAt: number;
  state: ReplicaState;
  /** Whether the API trickle may send it requests (off just before it is disturbed). */
  inRotation: boolean;
}

/** `replica` in `$HERMES_HOME/gateway_state.json`. */
export interface ReplicaStatus {
  id: string;
  owns: string[];
}

export function readReplicaStatus(home: string): ReplicaStatus | undefined {
  try {
    const file = JSON.parse(readFileSync(join(home, 'gateway_state.json'), 'utf8')) as {
      replica?: { id?: unknown; owns?: unknown };
    };
    const r = file.replica;
    if (!r || typeof r.id !== 'string' || !Array.isArray(r.owns)) return undefined;
    return { id: r.id, owns: r.owns.filter((p): p is string => typeof p === 'string') };
  } catch {
    // Missing, or caught half-written: the caller polls again.
    return undefined;
  }
}

export interface ReplicaRigOptions {
  /** postgres://… of a fresh schema for this rig alone. */
  databaseUrl: string;
  users: number;
  /** WeCom users (DMs to the AI bot); 0 leaves WeCom out. */
  wecomUsers?: number;
  leaseSeconds: number;
  /** Extra environment for every replica. */
  env?: Record<string, string>;
}

/** Polls `check` every 25 ms until it returns something truthy; the error names `what`. */
export async function waitFor<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs: number,
  detail: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Takeover {
  from: string;
  to: string;
  /** Disturbance → a running replica other than the victim says in its status file that it owns it. */
  statusMs?: number;
  /** Disturbance → first getUpdates the new owner made. */
  firstPollMs?: number;
  /** Disturbance → first send the new owner made that Telegram accepted. */
  firstReplyMs?: number;
}

export class ReplicaRig {
  readonly telegram: FakeTelegram;
  readonly wecom: WecomFakeServer;
  readonly model: FakeOpenAI;
  readonly users: TrafficUser[];
  readonly wecomUsers: WecomTrafficUser[];
  readonly replicas: Replica[] = [];
  get databaseUrl(): string {
    return this.#options.databaseUrl;
  }
  readonly calls: TapCall[] = [];
  readonly #options: ReplicaRigOptions;
  readonly #startedAt = Date.now();
  readonly #taps: Tap[] = [];
  #seq = 0;

  private constructor(
    options: ReplicaRigOptions,
    telegram: FakeTelegram,
    wecom: WecomFakeServer,
    model: FakeOpenAI,
  ) {
    this.#options = options;
    this.telegram = telegram;
    this.wecom = wecom;
    this.model = model;
    this.users = makeTelegramUsers(telegram, options.users);
    this.wecomUsers = makeWecomUsers(options.wecomUsers ?? 0);
  }

  static async start(options: ReplicaRigOptions): Promise<ReplicaRig> {
    const telegram = await startFakeTelegram();
    const wecom = await startWecomFakeServer();
    // Answers at once with the message's own text, so every reply names the one message it answers.
    const model = await startFakeOpenAI({ respond: (req) => step.text(`echo: ${lastUserText(req)}`) });
    return new ReplicaRig(options, telegram, wecom, model);
  }

  /** The replica whose WeCom adapter opened fake connection `connection` (from its subscribe's device_id). */
  wecomReplicaOf(connection: number): string | undefined {
    const device = this.wecom.subscriptions.find((s) => s.connection === connection)?.deviceId;
    return device?.startsWith('hermes-') ? device.slice('hermes-'.length) : undefined;
  }

  /** Replicas that are up and not paused. */
  running(): Replica[] {
    return this.replicas.filter((r) => r.state === 'running');
  }

  /** Where the API trickle may send requests right now. */
  apiTargets(): ApiTarget[] {
    return this.running()
      .filter((r) => r.inRotation)
      .map((r) => ({ name: r.name, baseUrl: `http://127.0.0.1:${r.apiPort}` }));
  }

  /**
   * Starts one more replica and waits (bounded) until it logs that it runs. `home` restarts a replica in
   * the HERMES_HOME of an earlier one (a restart in place) instead of a fresh one.
   */
  async startReplica(o: { home?: string; timeoutMs?: number } = {}): Promise<Replica> {
    this.#seq += 1;
    const name = `r${this.#seq}`;
    const home = o.home ?? mkdtempSync(join(tmpdir(), `hermes-replica-${name}-`));
    const tap = await startTap(new URL(this.telegram.apiRoot), name, this.calls);
    this.#taps.push(tap);
    const apiPort = await freePort();
    // A device_id per replica (kept by a restart in place): the fake's subscriptions then name the replica.
    // Real replicas may share one; WeCom only uses it to replace a session of the same device.
    writeFileSync(join(home, 'config.yaml'), `platforms:\n  wecom:\n    device_id: hermes-${name}\n`);
    const wecomEnv: Record<string, string> =
      this.wecomUsers.length === 0
        ? {}
        : {
            WECOM_BOT_ID: this.wecom.botId,
            WECOM_SECRET: this.wecom.secret,
            WECOM_WEBSOCKET_URL: this.wecom.url,
            WECOM_ALLOWED_USERS: this.wecomUsers.map((u) => u.userId).join(','),
            // Each callback handed over at once: no batch folds two tokens into one reply.
            HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS: '0',
          };
    const env = gatewayEnv(home, {
      HERMES_LOG_LEVEL: process.env.REPLICA_RIG_LOG_DIR ? 'debug' : 'info',
      HERMES_DATABASE_URL: this.#options.databaseUrl,
      HERMES_CONNECTION_LEASE_SECONDS: String(this.#options.leaseSeconds),
      // Each message its own turn, in order: an interrupt would fold queued messages into one answer.
      HERMES_BUSY_INPUT_MODE: 'queue',
      TELEGRAM_BOT_TOKEN: this.telegram.token,
      TELEGRAM_API_ROOT: tap.url,
      TELEGRAM_ALLOWED_USERS: this.users.map((u) => u.user.id).join(','),
      API_SERVER_ENABLED: 'true',
      API_SERVER_PORT: String(apiPort),
      API_SERVER_KEY: API_KEY,
      OPENAI_BASE_URL: this.model.baseURL,
      OPENAI_API_KEY: 'sk-test-replicas-0123456789',
      HERMES_MODEL: 'fake-model',
      ...wecomEnv,
      ...this.#options.env,
    });
    const replica: Replica = {
      name,
      home,
      apiPort,
      process: startGatewayProcess(env),
      startedAt: Date.now(),
      state: 'running',
      inRotation: false,
    };
    this.replicas.push(replica);
    await replica.process.waitForLog(/gateway running/, o.timeoutMs ?? 30_000);
    replica.inRotation = true;
    return replica;
  }

  status(replica: Replica): ReplicaStatus | undefined {
    return readReplicaStatus(replica.home);
  }

  /**
   * The running replica (paused and dead ones left out: their files are stale) whose status file says it
   * holds `platform`; waits until exactly one does.
   */
  async waitForOwner(platform: string, timeoutMs: number, not?: Replica): Promise<Replica> {
    return waitFor(
      () => {
        const owners = this.running().filter(
          (r) => r !== not && this.status(r)?.owns.includes(platform) === true,
        );
        return owners.length === 1 ? owners[0] : undefined;
      },
      `exactly one running replica${not ? ` other than ${not.name}` : ''} whose gateway_state.json says replica.owns includes '${platform}'`,
      timeoutMs,
      () => `\n${this.describe()}`,
    );
  }

  /**
   * After `victim` was disturbed at `at`: who took `platform` over and how long each step took (the
   * owner change in the status files, its first poll, its first accepted send). With `successor` given
   * (a single replica restarted: no one to hand over to), the status files are not consulted.
   */
  async measureTakeover(
    victim: Replica,
    at: number,
    platform: string,
    timeoutMs: number,
    successor?: Replica,
  ): Promise<Takeover> {
    const owner = successor ?? (await this.waitForOwner(platform, timeoutMs, victim));
    const statusMs = successor ? undefined : Date.now() - at;
    const firstBy = (match: (c: TapCall) => boolean) =>
      this.calls.find((c) => c.replica === owner.name && c.at >= at && match(c));
    const reply = await waitFor(
      () => firstBy((c) => c.method.startsWith('send') && c.status === 200),
      `a reply sent by the new owner ${owner.name}`,
      timeoutMs,
    ).catch(() => undefined);
    const poll = firstBy((c) => c.method === 'getUpdates');
    const takeover: Takeover = { from: victim.name, to: owner.name };
    if (statusMs !== undefined) takeover.statusMs = statusMs;
    if (poll) takeover.firstPollMs = poll.at - at;
    if (reply) takeover.firstReplyMs = reply.at - at;
    return takeover;
  }

  /**
   * Who to disturb: the running replica holding every platform in `platforms` when one does (one kill then
   * hands over both connections), else the holder of the first one.
   */
  async ownerOfMost(platforms: readonly string[], timeoutMs: number): Promise<Replica> {
    const first = await this.waitForOwner(platforms[0] ?? 'telegram', timeoutMs);
    const all = this.running().find((r) => {
      const owns = this.status(r)?.owns ?? [];
      return platforms.every((p) => owns.includes(p));
    });
    return all ?? first;
  }

  /** Names of the running replicas whose status file says they hold `platform` (for the log). */
  ownersOf(platform: string): string {
    const owners = this.running().filter((r) => this.status(r)?.owns.includes(platform) === true);
    return owners.map((r) => r.name).join('+') || 'none';
  }

  /**
   * After `victim` was disturbed at `at`: how long until a connection of another replica subscribed to the
   * fake WeCom, and until that replica's first accepted reply went out (undefined when none came in time).
   */
  async measureWecomTakeover(
    victim: Replica,
    at: number,
    timeoutMs: number,
  ): Promise<{ to?: string; subscribedMs?: number; firstReplyMs?: number }> {
    const sub = await waitFor(
      () =>
        this.wecom.subscriptions.find(
          (s) => s.errcode === 0 && s.at >= at && s.deviceId !== `hermes-${victim.name}`,
        ),
      'a WeCom subscription by another replica',
      timeoutMs,
    ).catch(() => undefined);
    if (!sub) return {};
    const reply = await waitFor(
      () => this.wecom.replies.find((r) => r.errcode === 0 && r.connection === sub.connection),
      'a WeCom reply on the new connection',
      timeoutMs,
    ).catch(() => undefined);
    const out: { to?: string; subscribedMs?: number; firstReplyMs?: number } = { subscribedMs: sub.at - at };
    const to = this.wecomReplicaOf(sub.connection);
    if (to) out.to = to;
    if (reply) out.firstReplyMs = reply.at - at;
    return out;
  }

  /** kill -9; returns when the process is gone. */
  async kill9(replica: Replica): Promise<void> {
    replica.inRotation = false;
    replica.state = 'dead';
    if (replica.process.child.exitCode === null) replica.process.child.kill('SIGCONT');
    await replica.process.kill9();
  }

  pause(replica: Replica): void {
    replica.inRotation = false;
    replica.state = 'paused';
    replica.process.child.kill('SIGSTOP');
  }

  resume(replica: Replica): void {
    replica.process.child.kill('SIGCONT');
    replica.state = 'running';
    replica.inRotation = true;
  }

  /** SIGTERM and wait for the exit (bounded; killed after `timeoutMs`); returns the exit code. */
  async terminate(replica: Replica, timeoutMs = 20_000): Promise<number | null> {
    replica.inRotation = false;
    replica.state = 'stopping';
    const code = await replica.process.stop(timeoutMs);
    replica.state = 'dead';
    return code;
  }

  /** Bot API calls of one replica from `since` on (getUpdates and anything that changes a chat). */
  connectionUseBy(replica: Replica, since: number): TapCall[] {
    return this.calls.filter(
      (c) =>
        c.replica === replica.name &&
        c.at >= since &&
        (c.method === 'getUpdates' || /^(send|edit|delete)/.test(c.method)),
    );
  }

  /** One line per replica (state, status file, last log lines, cut short) for failure messages. */
  describe(lines = 3): string {
    return this.replicas
      .map((r) => {
        const s = this.status(r);
        const tail = r.process
          .output()
          .trimEnd()
          .split('\n')
          .slice(-lines)
          .map((l) => (l.length > 240 ? `${l.slice(0, 240)}…` : l))
          .join('\n    ');
        return `  ${r.name} pid ${r.process.child.pid} ${r.state} status=${s ? JSON.stringify(s) : 'none'}\n    ${tail}`;
      })
      .join('\n');
  }

  /** Kills every process still there (paused ones too), closes the taps and fakes, removes the homes. */
  async close(): Promise<void> {
    // For a failure's post-mortem: every replica's whole log, kept where the variable says.
    const keep = process.env.REPLICA_RIG_LOG_DIR;
    if (keep)
      writeFileSync(
        join(keep, `${this.#startedAt}-wecom.json`),
        JSON.stringify({
          subscriptions: this.wecom.subscriptions,
          replies: this.wecom.replies.map(({ body: _body, ...rest }) => rest),
        }),
      );
    if (keep)
      for (const r of this.replicas) {
        writeFileSync(join(keep, `${this.#startedAt}-${r.name}.log`), r.process.output());
        writeFileSync(
          join(keep, `${this.#startedAt}-${r.name}.calls.json`),
          JSON.stringify(this.calls.filter((c) => c.replica === r.name)),
        );
        try {
          writeFileSync(
            join(keep, `${this.#startedAt}-${r.name}.file.log`),
            readFileSync(join(r.home, 'logs', 'gateway.log')),
          );
        } catch {
          // no log file (the replica never got that far)
        }
      }
    await Promise.all(
      this.replicas.map(async (r) => {
        const child = r.process.child;
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await Promise.race([
          new Promise((resolve) => child.once('exit', resolve)),
          new Promise((resolve) => setTimeout(resolve, 5_000)),
        ]);
        r.state = 'dead';
      }),
    );
    await Promise.all(this.#taps.map((t) => t.close()));
    await Promise.all([this.telegram.close(), this.wecom.close(), this.model.close()]);
    for (const home of new Set(this.replicas.map((r) => r.home)))
      rmSync(home, { recursive: true, force: true });
  }
}
