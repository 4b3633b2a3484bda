import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';

/** An undici dispatcher for one Socket Mode connection that can cut its sockets when the peer stalls. */
export interface SlackSocketDispatcher {
  agent: Agent;
  /** Destroys every TCP socket the agent opened (the upgraded WebSocket included) and the agent itself. */
  destroy(): void;
}

/**
 * undici detaches an upgraded WebSocket's socket from its pool, so neither closing the WebSocket nor
 * destroying the agent ends a connection whose peer stopped answering; the SDK then waits 30 s for the
 * close handshake. Capturing each socket at connect time gives stop() a hard way out.
 */
export function createSlackSocketDispatcher(): SlackSocketDispatcher {
  const sockets = new Set<Socket>();
  const connect = buildConnector({ allowH2: false });
  const agent = new Agent({
    connect: (options, callback) => {
      connect(options, (error, socket) => {
        if (socket) {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
          callback(null, socket);
        } else {
          callback(error ?? new Error('no socket'), null);
        }
      });
    },
  });
  return {
    agent,
    destroy() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      agent.destroy().catch(() => {});
    },
  };
}
