import { randomUUID } from 'node:crypto';

/**
 * A bare client-server API client for the human side of the real-Synapse tests (alice, carol): plain
 * fetch, so what the adapter sends is read back exactly as the homeserver stored it.
 */
export class CsClient {
  constructor(
    readonly url: string,
    readonly userId: string,
    readonly token: string,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    raw?: { bytes: Buffer; type: string },
  ): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(raw
          ? { 'content-type': raw.type }
          : body !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
      },
      ...(raw
        ? { body: new Uint8Array(raw.bytes) }
        : body !== undefined
          ? { body: JSON.stringify(body) }
          : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async createRoom(o: {
    invite?: string[];
    direct?: boolean;
    name?: string;
    encrypted?: boolean;
  }): Promise<string> {
    const body: Record<string, unknown> = {
      preset: o.direct ? 'trusted_private_chat' : 'private_chat',
      invite: o.invite ?? [],
      is_direct: o.direct === true,
      ...(o.name ? { name: o.name } : {}),
      ...(o.encrypted
        ? {
            initial_state: [
              { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
            ],
          }
        : {}),
    };
    return (await this.call<{ room_id: string }>('POST', '/_matrix/client/v3/createRoom', body)).room_id;
  }

  async join(roomId: string): Promise<void> {
    await this.call('POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {});
  }

  async send(roomId: string, content: Record<string, unknown>, type = 'm.room.message'): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${type}/${randomUUID()}`;
    return (await this.call<{ event_id: string }>('PUT', path, content)).event_id;
  }

  async upload(bytes: Buffer, type: string, name: string): Promise<string> {
    const path = `/_matrix/media/v3/upload?filename=${encodeURIComponent(name)}`;
    return (await this.call<{ content_uri: string }>('POST', path, undefined, { bytes, type })).content_uri;
  }

  async download(mxc: string): Promise<Buffer> {
    const [server, id] = mxc.replace('mxc://', '').split('/') as [string, string];
    const res = await fetch(`${this.url}/_matrix/client/v1/media/download/${server}/${id}`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`download ${mxc} -> ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async members(roomId: string): Promise<string[]> {
    const body = await this.call<{ joined: Record<string, unknown> }>(
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`,
    );
    return Object.keys(body.joined);
  }

  /** The newest events of the room, newest first. */
  async recent(
    roomId: string,
    limit = 30,
  ): Promise<Array<{ event_id: string; sender: string; type: string; content: Record<string, unknown> }>> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=${limit}`;
    return (
      await this.call<{
        chunk: Array<{ event_id: string; sender: string; type: string; content: Record<string, unknown> }>;
      }>('GET', path)
    ).chunk;
  }
}

/** Polls until `probe` gives a value (bounded). */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
