import type { HomeAssistantConfig } from './config.js';
import type { HomeAssistantEntityState, HomeAssistantStateChange } from './inbound.js';

export type GateVerdict = { forward: true } | { forward: false; reason: string };

/** The operator's filters: ignore list first, then watch_all, watched entities, watched domains. */
export function isWatched(entityId: string, config: HomeAssistantConfig): GateVerdict {
  if (config.ignoreEntities.includes(entityId)) return { forward: false, reason: 'in ignore_entities' };
  if (config.watchAll) return { forward: true };
  if (config.watchEntities.includes(entityId)) return { forward: true };
  const domain = entityId.slice(0, entityId.indexOf('.'));
  if (config.watchDomains.includes(domain)) return { forward: true };
  return { forward: false, reason: 'not in watch_domains / watch_entities (and watch_all is off)' };
}

interface EntityWindow {
  /** The state the agent last heard about, so a held change reads "from what you knew". */
  told: HomeAssistantEntityState | undefined;
  held: HomeAssistantStateChange | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * At most one event per entity per cooldown, without losing the outcome: changes inside the window are
 * held, and when it ends the newest is delivered as "from <what the agent was told> to <now>" (a door that
 * opened and closed again inside the window is not reported as left open). A flap back to the state the
 * agent already knows is dropped.
 */
export class EntityCooldown {
  readonly #windowMs: number;
  readonly #deliver: (change: HomeAssistantStateChange) => void;
  readonly #entities = new Map<string, EntityWindow>();

  constructor(windowMs: number, deliver: (change: HomeAssistantStateChange) => void) {
    this.#windowMs = windowMs;
    this.#deliver = deliver;
  }

  offer(change: HomeAssistantStateChange): void {
    let w = this.#entities.get(change.entityId);
    if (!w) {
      w = { told: undefined, held: undefined, timer: undefined };
      this.#entities.set(change.entityId, w);
    }
    if (w.timer) {
      w.held = change;
      return;
    }
    this.#tell(change.entityId, w, change);
  }

  /** Drops held changes and timers (on stop). */
  clear(): void {
    for (const w of this.#entities.values()) clearTimeout(w.timer);
    this.#entities.clear();
  }

  #tell(entityId: string, w: EntityWindow, change: HomeAssistantStateChange): void {
    w.told = change.newState;
    w.held = undefined;
    this.#deliver(change);
    if (this.#windowMs <= 0) return;
    w.timer = setTimeout(() => this.#windowEnds(entityId, w), this.#windowMs);
    w.timer.unref();
  }

  #windowEnds(entityId: string, w: EntityWindow): void {
    w.timer = undefined;
    const held = w.held;
    if (!held) return;
    w.held = undefined;
    if (held.newState?.state === w.told?.state) return;
    const merged: HomeAssistantStateChange = { ...held };
    if (w.told) merged.oldState = w.told;
    else delete merged.oldState;
    this.#tell(entityId, w, merged);
  }
}
