import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@hermes/adapter-testkit';
import { SYNAPSE_ROOT } from './synapse-availability.js';

export interface SynapseUser {
  userId: string;
  password: string;
  accessToken: string;
  deviceId: string;
}

export interface RunningSynapse {
  url: string;
  serverName: string;
  register(localpart: string, o?: { admin?: boolean }): Promise<SynapseUser>;
  /** The last lines of Synapse's log, for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

const HIGH = { per_second: 1000, burst_count: 1000 };

/**
 * The homeserver config, written directly (what --generate-config would write, minus the 10 s it takes to
 * start Python for it) plus the test overrides: one client-only listener on 127.0.0.1, no federation, no
 * key servers, presence and URL previews off, every rc_* limit out of the way.
 */
function homeserverYaml(dir: string, port: number, secret: string): string {
  const limits = {
    rc_message: HIGH,
    rc_registration: HIGH,
    rc_login: { address: HIGH, account: HIGH, failed_attempts: HIGH },
    rc_joins: { local: HIGH, remote: HIGH },
    rc_joins_per_room: HIGH,
    rc_invites: { per_room: HIGH, per_user: HIGH, per_issuer: HIGH },
    rc_admin_redaction: HIGH,
    rc_3pid_validation: HIGH,
    rc_media_create: HIGH,
    rc_room_creation: HIGH,
    rc_key_requests: HIGH,
  };
  const config = {
    server_name: 'localhost',
    pid_file: `${dir}/homeserver.pid`,
    listeners: [
      {
        port,
        bind_addresses: ['127.0.0.1'],
        type: 'http',
        tls: false,
        x_forwarded: false,
        resources: [{ names: ['client'], compress: false }],
      },
    ],
    database: { name: 'sqlite3', args: { database: `${dir}/homeserver.db` } },
    log_config: `${dir}/log.yaml`,
    media_store_path: `${dir}/media_store`,
    signing_key_path: `${dir}/signing.key`,
    registration_shared_secret: secret,
    macaroon_secret_key: randomBytes(24).toString('hex'),
    form_secret: randomBytes(24).toString('hex'),
    report_stats: false,
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    federation_domain_whitelist: [],
    presence: { enabled: false },
    url_preview_enabled: false,
    enable_registration: false,
    enable_metrics: false,
    ...limits,
  };
  // JSON is YAML: no YAML writer needed.
  return JSON.stringify(config, null, 2);
}

const LOG_YAML = (dir: string) =>
  JSON.stringify({
    version: 1,
    formatters: { precise: { format: '%(asctime)s %(levelname)s %(name)s %(message)s' } },
    handlers: {
      file: { class: 'logging.FileHandler', formatter: 'precise', filename: `${dir}/homeserver.log` },
    },
    root: { level: 'WARNING', handlers: ['file'] },
    disable_existing_loggers: false,
  });

/**
 * Starts a throwaway Synapse from the sid chroot that tooling/ci/install-synapse.sh builds (needs root for
 * chroot), on 127.0.0.1 and a free port, and waits until it answers. `stop()` ends it and deletes its data.
 * Check `synapseAvailability()` first.
 */
export async function startSynapse(o: { readyTimeoutMs?: number } = {}): Promise<RunningSynapse> {
  const name = `hermes-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  const inside = `/srv/${name}`;
  const outside = join(SYNAPSE_ROOT, inside);
  mkdirSync(join(outside, 'media_store'), { recursive: true });
  const port = await freePort();
  const secret = randomBytes(24).toString('hex');
  writeFileSync(join(outside, 'homeserver.yaml'), homeserverYaml(inside, port, secret));
  writeFileSync(join(outside, 'log.yaml'), LOG_YAML(inside));
  // An ed25519 seed in signedjson's key-file format; Synapse would otherwise need --generate-keys first.
  writeFileSync(
    join(outside, 'signing.key'),
    `ed25519 a_test ${randomBytes(32).toString('base64').replace(/=+$/, '')}\n`,
  );
  const chown = spawn('chroot', [SYNAPSE_ROOT, 'chown', '-R', 'matrix-synapse', inside], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) =>
    chown.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`chown in the chroot failed (${code})`)),
    ),
  );
  const child: ChildProcess = spawn(
    'chroot',
    [
      '--userspec=matrix-synapse:nogroup',
      SYNAPSE_ROOT,
      'synapse_homeserver',
      '-c',
      `${inside}/homeserver.yaml`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const logTail = () => {
    let log = '';
    try {
      log = readFileSync(join(outside, 'homeserver.log'), 'utf8').slice(-2000);
    } catch {
      // No log yet: Synapse died before opening it.
    }
    return `${stderr.slice(-2000)}\n${log}`;
  };
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(outside, { recursive: true, force: true });
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      const tail = logTail();
      await stop();
      throw new Error(`Synapse exited during startup: ${tail}`);
    }
    try {
      const res = await fetch(`${url}/_matrix/client/versions`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`Synapse did not answer on ${url} within the timeout: ${tail}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  const register = async (localpart: string, r: { admin?: boolean } = {}): Promise<SynapseUser> => {
    const endpoint = `${url}/_synapse/admin/v1/register`;
    const { nonce } = (await (await fetch(endpoint)).json()) as { nonce: string };
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const admin = r.admin === true;
    const mac = createHmac('sha1', secret)
      .update(`${nonce}\0${localpart}\0${password}\0${admin ? 'admin' : 'notadmin'}`)
      .digest('hex');
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nonce, username: localpart, password, admin, mac }),
    });
    const body = (await res.json()) as {
      user_id?: string;
      access_token?: string;
      device_id?: string;
      error?: string;
    };
    if (!res.ok || !body.user_id || !body.access_token)
      throw new Error(`registering ${localpart} failed: ${JSON.stringify(body)}`);
    return { userId: body.user_id, password, accessToken: body.access_token, deviceId: body.device_id ?? '' };
  };

  return { url, serverName: 'localhost', register, logTail, stop };
}
