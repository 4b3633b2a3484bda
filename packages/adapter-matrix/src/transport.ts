import { randomUUID } from 'node:crypto';
import {
  AdapterError,
  type ConnectionDrop,
  type Logger,
  type SupervisedConnection,
} from '@hermes/adapter-core';
import {
  ClientEvent,
  HttpApiEvent,
  type IContent,
  type MatrixClient,
  type MatrixEvent,
  Method,
  type Room,
  RoomEvent,
  SyncState,
} from 'matrix-js-sdk';
import { createMatrixClient, openMatrixSession } from './client-factory.js';
import type { MatrixConfig } from './config.js';
import { matrixAdapterError } from './matrix-errors.js';
import { createOwnedFetch, type OwnedFetch } from './node-fetch.js';
import type { MatrixSession } from './state/session-file.js';
import { MatrixFileStore } from './state/sync-store.js';
import { describeTimelineEvent, type MatrixTimelineEnvelope } from './timeline-envelope.js';

export interface MatrixTransportOptions {
  config: MatrixConfig;
  stateDir: string;
  logger: Logger;
  /** Each live timeline event (decrypted where needed), in arrival order. */
  onEvent(envelope: MatrixTimelineEnvelope): void;
  /** An invite for the bot; `inviter` is who sent it. */
  onInvite(roomId: string, inviter: string | undefined): void;
  /** The SDK's sync state: SYNCING after each /sync, RECONNECTING / ERROR while the server is unreachable. */
  onSyncState(state: SyncState): void;
  /** Event ids handed to the host recently (persisted with the sync position). */
  seen(): Array<[string, number]>;
  /** The ids the last run persisted: called before the first /sync can deliver anything. */
  restoreSeen(entries: Array<[string, number]>): void;
}

/** Who the bot is: used to drop its own echoes and by probe(). */
export interface MatrixIdentity {
  id: string;
  deviceId?: string;
  name?: string;
}

/**
 * The wire to the homeserver, through matrix-js-sdk: session (login once, device kept), the /sync loop
 * with a persisted position, sends, uploads. Only this file and client-factory.ts know the SDK's client.
 */
export class MatrixTransport {
  readonly #o: MatrixTransportOptions;
  readonly #fetch: OwnedFetch = createOwnedFetch();
  #client: MatrixClient | undefined;
  #store: MatrixFileStore | undefined;
  #session: MatrixSession | undefined;
  #closed = false;
  #attempts = 0;

  constructor(options: MatrixTransportOptions) {
    this.#o = options;
  }

  get userId(): string | undefined {
    return this.#session?.userId;
  }

  /**
   * Opens the session (if not yet), starts the /sync loop and resolves after the first live sync. The
   * SDK reconnects by itself after network errors (reported through onSyncState); `closed` settles only
   * when the loop stops for good (logged out, stopped).
   */
  async connect(signal: AbortSignal): Promise<SupervisedConnection> {
    if (this.#closed)
      throw new AdapterError('aborted', 'Matrix transport was shut down', { platform: 'matrix' });
    this.#session ??= await openMatrixSession(
      this.#o.config,
      this.#o.stateDir,
      this.#fetch.fetch,
      this.#o.logger,
    );
    const session = this.#session;
    const store = new MatrixFileStore({
      stateDir: this.#o.stateDir,
      userId: session.userId,
      logger: this.#o.logger,
      seen: this.#o.seen,
    });
    const client = await createMatrixClient({
      config: this.#o.config,
      session,
      store,
      fetchFn: this.#fetch.fetch,
      stateDir: this.#o.stateDir,
      logger: this.#o.logger,
    });
    this.#client = client;
    this.#store = store;
    this.#o.restoreSeen(store.restoredSeen);

    let settle: (drop: ConnectionDrop) => void = () => {};
    const closed = new Promise<ConnectionDrop>((resolve) => {
      settle = resolve;
    });
    let ended = false;
    const end = (drop: ConnectionDrop) => {
      if (ended) return;
      ended = true;
      client.stopClient();
      store.flush();
      settle(drop);
    };
    const online = new Promise<void>((resolve, reject) => {
      client.on(ClientEvent.Sync, (state: SyncState) => {
        this.#o.onSyncState(state);
        if (state === SyncState.Syncing) resolve();
        if (state === SyncState.Stopped) end({ reason: 'sync stopped' });
      });
      client.on(HttpApiEvent.SessionLoggedOut, (error) => {
        const adapterError = matrixAdapterError(error, 'sync');
        reject(adapterError);
        end({ reason: 'logged out by the homeserver', error: adapterError });
      });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    client.on(RoomEvent.Timeline, (event, room, toStartOfTimeline, _removed, data) => {
      // Only what arrived in a live /sync: not back-pagination, not the cached sync replayed at start.
      if (toStartOfTimeline || data?.liveEvent !== true || room === undefined) return;
      void this.#deliver(client, event, room);
    });
    client.on(RoomEvent.MyMembership, (room, membership) => {
      if (membership !== 'invite') return;
      const me = room.getMember(session.userId);
      this.#o.onInvite(room.roomId, me?.events.member?.getSender());
    });
    try {
      await client.startClient({
        initialSyncLimit: 0,
        lazyLoadMembers: true,
        pollTimeout: this.#o.config.syncTimeoutMs,
        threadSupport: false,
      });
      await online;
    } catch (error) {
      end({ reason: 'connect failed' });
      throw matrixAdapterError(error, 'starting the /sync loop');
    }
    return {
      closed,
      close: (reason) => end({ reason }),
    };
  }

  async #deliver(client: MatrixClient, event: MatrixEvent, room: Room): Promise<void> {
    try {
      if (event.isEncrypted() || event.shouldAttemptDecryption()) await client.decryptEventIfNeeded(event);
      this.#o.onEvent(describeTimelineEvent(client, event, room));
    } catch (error) {
      this.#o.logger.warn('could not read a Matrix event', {
        platform: 'matrix',
        eventId: event.getId(),
        error: (error as Error).message,
      });
    }
  }

  #live(): MatrixClient {
    if (!this.#client || this.#closed) {
      throw new AdapterError('not_connected', 'Matrix client is not running', { platform: 'matrix' });
    }
    return this.#client;
  }

  /**
   * Sends one room event. In a plain room it is a PUT with the caller's transaction id, so a retried call
   * is the same event to the homeserver (a lost answer never doubles a message). In an encrypted room
   * the SDK encrypts it; its local echo refuses a reused transaction id, so each attempt gets its own:
   * there a repeat is not deduped, which is why the adapter declares `idempotentSend` only with
   * encryption off (adapter.ts).
   */
  async sendEvent(
    roomId: string,
    type: string,
    content: IContent,
    txnId: string,
  ): Promise<{ eventId: string }> {
    const client = this.#live();
    try {
      if (await this.isEncryptedRoom(roomId)) {
        this.#attempts += 1;
        // The SDK types sendEvent per known event type; the adapter's content is plain JSON.
        const send = client.sendEvent.bind(client) as unknown as (
          roomId: string,
          threadId: null,
          type: string,
          content: IContent,
          txnId: string,
        ) => Promise<{ event_id: string }>;
        const sent = await send(roomId, null, type, content, `${txnId}.${this.#attempts}`);
        return { eventId: sent.event_id };
      }
      const path = `/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${encodeURIComponent(txnId)}`;
      const sent = await client.http.authedRequest<{ event_id: string }>(
        Method.Put,
        path,
        undefined,
        content,
      );
      return { eventId: sent.event_id };
    } catch (error) {
      throw matrixAdapterError(error, `sending ${type} to ${roomId}`);
    }
  }

  newTxnId(): string {
    return `hermes-${randomUUID()}`;
  }

  async redact(roomId: string, eventId: string): Promise<void> {
    try {
      await this.#live().redactEvent(roomId, eventId, this.newTxnId());
    } catch (error) {
      throw matrixAdapterError(error, `redacting ${eventId}`);
    }
  }

  async typing(roomId: string, on: boolean): Promise<void> {
    try {
      await this.#live().sendTyping(roomId, on, 30_000);
    } catch (error) {
      throw matrixAdapterError(error, `typing in ${roomId}`);
    }
  }

  async join(roomId: string): Promise<void> {
    try {
      await this.#live().joinRoom(roomId);
    } catch (error) {
      throw matrixAdapterError(error, `joining ${roomId}`);
    }
  }

  /** Uploads bytes to the content repository; resolves with the mxc:// URI. */
  async upload(bytes: Buffer, o: { name: string; mime: string }): Promise<{ mxc: string }> {
    try {
      const result = await this.#live().uploadContent(new Blob([new Uint8Array(bytes)], { type: o.mime }), {
        name: o.name,
        type: o.mime,
        includeFilename: true,
      });
      return { mxc: result.content_uri };
    } catch (error) {
      throw matrixAdapterError(error, `uploading ${o.name}`);
    }
  }

  /** True when the room has m.room.encryption (then messages and files must go out encrypted). */
  async isEncryptedRoom(roomId: string): Promise<boolean> {
    const client = this.#live();
    const crypto = client.getCrypto();
    if (crypto) return crypto.isEncryptionEnabledInRoom(roomId);
    return client.getRoom(roomId)?.hasEncryptionStateEvent() ?? false;
  }

  /** Authenticated media download URL (client v1 media API) and the header it needs. */
  mediaDownload(mxc: string): { url: string; headers: Record<string, string> } | undefined {
    const match = /^mxc:\/\/([^/]+)\/([^/?#]+)$/.exec(mxc);
    const session = this.#session;
    if (!match || !session) return undefined;
    const base = this.#o.config.homeserver.replace(/\/+$/, '');
    const url = `${base}/_matrix/client/v1/media/download/${encodeURIComponent(match[1]!)}/${encodeURIComponent(match[2]!)}`;
    return { url, headers: { authorization: `Bearer ${session.accessToken}` } };
  }

  /** Checks the credentials (login or whoami) without starting the sync loop. */
  async whoAmI(): Promise<MatrixIdentity> {
    this.#session ??= await openMatrixSession(
      this.#o.config,
      this.#o.stateDir,
      this.#fetch.fetch,
      this.#o.logger,
    );
    return { id: this.#session.userId, deviceId: this.#session.deviceId };
  }

  /** Stops the sync loop, saves the position and closes every socket. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    client?.stopClient();
    client?.removeAllListeners();
    this.#store?.flush();
    this.#fetch.destroy();
  }
}
