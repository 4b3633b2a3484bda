import { randomBytes } from 'node:crypto';

/** One event as the homeserver stores and serves it. */
export interface FakeMatrixEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  state_key?: string;
  unsigned?: Record<string, unknown>;
}

export interface FakeRoom {
  roomId: string;
  name?: string;
  /** userId → display name, for joined members. */
  members: Map<string, string>;
  /** userId → inviter, pending invites. */
  invites: Map<string, string>;
}

/** A stream position and what happened at it. */
type StreamItem =
  | { pos: number; kind: 'event'; event: FakeMatrixEvent }
  | { pos: number; kind: 'invite'; roomId: string; userId: string };

/**
 * The homeserver's state: rooms, members and one totally ordered event stream. /sync tokens are positions
 * in that stream (`s<pos>`), so a client resuming with an old token gets exactly what it missed.
 */
export class FakeMatrixWorld {
  readonly serverName: string;
  readonly rooms = new Map<string, FakeRoom>();
  readonly stream: StreamItem[] = [];
  readonly directRooms = new Map<string, string[]>();
  #pos = 0;
  #listeners = new Set<() => void>();

  constructor(serverName: string) {
    this.serverName = serverName;
  }

  get position(): number {
    return this.#pos;
  }

  newId(prefix: string): string {
    return `${prefix}${randomBytes(9).toString('base64url')}`;
  }

  room(roomId: string): FakeRoom {
    const room = this.rooms.get(roomId);
    if (!room) throw new Error(`fake homeserver: no room ${roomId}`);
    return room;
  }

  createRoom(roomId: string, members: Record<string, string>, o: { name?: string } = {}): FakeRoom {
    const room: FakeRoom = { roomId, members: new Map(Object.entries(members)), invites: new Map() };
    if (o.name !== undefined) room.name = o.name;
    this.rooms.set(roomId, room);
    return room;
  }

  /** Appends an event to the stream and wakes every waiting /sync. */
  append(
    event: Omit<FakeMatrixEvent, 'event_id' | 'origin_server_ts'> & { event_id?: string },
  ): FakeMatrixEvent {
    const full: FakeMatrixEvent = {
      event_id: event.event_id ?? this.newId('$'),
      origin_server_ts: Date.now(),
      ...event,
    };
    this.#pos += 1;
    this.stream.push({ pos: this.#pos, kind: 'event', event: full });
    this.#wake();
    return full;
  }

  invite(roomId: string, userId: string, inviter: string): void {
    this.room(roomId).invites.set(userId, inviter);
    this.#pos += 1;
    this.stream.push({ pos: this.#pos, kind: 'invite', roomId, userId });
    this.#wake();
  }

  join(roomId: string, userId: string, displayName: string): void {
    const room = this.room(roomId);
    room.invites.delete(userId);
    room.members.set(userId, displayName);
    this.append({
      room_id: roomId,
      sender: userId,
      type: 'm.room.member',
      state_key: userId,
      content: { membership: 'join', displayname: displayName },
    });
  }

  /** Calls `listener` on every stream change until the returned function is called. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #wake(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  findEvent(eventId: string): FakeMatrixEvent | undefined {
    for (const item of this.stream)
      if (item.kind === 'event' && item.event.event_id === eventId) return item.event;
    return undefined;
  }

  memberEvents(room: FakeRoom): FakeMatrixEvent[] {
    const events: FakeMatrixEvent[] = [
      {
        event_id: `$create-${room.roomId}`,
        room_id: room.roomId,
        sender: [...room.members.keys()][0] ?? `@admin:${this.serverName}`,
        type: 'm.room.create',
        state_key: '',
        origin_server_ts: 0,
        content: { room_version: '10' },
      },
    ];
    if (room.name !== undefined) {
      events.push({
        event_id: `$name-${room.roomId}`,
        room_id: room.roomId,
        sender: events[0]!.sender,
        type: 'm.room.name',
        state_key: '',
        origin_server_ts: 0,
        content: { name: room.name },
      });
    }
    for (const [userId, name] of room.members) {
      events.push({
        event_id: `$member-${room.roomId}-${userId}`,
        room_id: room.roomId,
        sender: userId,
        type: 'm.room.member',
        state_key: userId,
        origin_server_ts: 0,
        content: { membership: 'join', displayname: name },
      });
    }
    return events;
  }

  /** The /sync body for `userId` from `since` (undefined: initial sync, no timeline). */
  syncBody(userId: string, since: number | undefined): Record<string, unknown> {
    const join: Record<string, unknown> = {};
    const invite: Record<string, unknown> = {};
    const timelineFor = (roomId: string): FakeMatrixEvent[] => {
      const entry = join[roomId] as { timeline: { events: FakeMatrixEvent[] } } | undefined;
      if (entry) return entry.timeline.events;
      const room = this.room(roomId);
      join[roomId] = {
        state: { events: this.memberEvents(room) },
        timeline: { events: [], limited: false, prev_batch: `p${since ?? this.#pos}` },
        summary: { 'm.joined_member_count': room.members.size, 'm.invited_member_count': room.invites.size },
        ephemeral: { events: [] },
        account_data: { events: [] },
        unread_notifications: {},
      };
      return (join[roomId] as { timeline: { events: FakeMatrixEvent[] } }).timeline.events;
    };
    if (since === undefined) {
      for (const room of this.rooms.values()) if (room.members.has(userId)) timelineFor(room.roomId);
    } else {
      for (const item of this.stream) {
        if (item.pos <= since) continue;
        if (item.kind === 'invite') {
          const room = this.room(item.roomId);
          if (item.userId !== userId || !room.invites.has(userId)) continue;
          invite[item.roomId] = {
            invite_state: {
              events: [
                ...this.memberEvents(room).map(({ type, state_key, sender, content }) => ({
                  type,
                  state_key,
                  sender,
                  content,
                })),
                {
                  type: 'm.room.member',
                  state_key: userId,
                  sender: room.invites.get(userId),
                  content: { membership: 'invite' },
                },
              ],
            },
          };
          continue;
        }
        const room = this.rooms.get(item.event.room_id);
        if (!room?.members.has(userId)) continue;
        const { room_id: _room, ...event } = item.event;
        timelineFor(item.event.room_id).push(event as FakeMatrixEvent);
      }
    }
    const direct = this.directRooms.get(userId);
    return {
      next_batch: `s${this.#pos}`,
      rooms: { join, invite, leave: {}, knock: {} },
      account_data: {
        events: direct
          ? [{ type: 'm.direct', content: Object.fromEntries([[`@peer:${this.serverName}`, direct]]) }]
          : [],
      },
      to_device: { events: [] },
      presence: { events: [] },
      device_lists: { changed: [], left: [] },
      device_one_time_keys_count: {},
    };
  }

  /** Whether anything new for `userId` happened after `since`. */
  hasNews(userId: string, since: number): boolean {
    for (let i = this.stream.length - 1; i >= 0; i -= 1) {
      const item = this.stream[i]!;
      if (item.pos <= since) return false;
      if (
        item.kind === 'invite'
          ? item.userId === userId
          : this.rooms.get(item.event.room_id)?.members.has(userId)
      ) {
        return true;
      }
    }
    return false;
  }
}
