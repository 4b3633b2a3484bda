import { Agent } from 'node:http';

export interface CountingAgent {
  /** A keep-alive agent: pass it to every request the harness makes to the adapter's server. */
  agent: Agent;
  /** Connections opened so far (the conformance suite's `totalConnections`). */
  opened(): number;
  /** Sockets still open (the suite's `openConnections`, checked after stop()). */
  openSockets(): number;
  destroy(): void;
}

/**
 * The client side of a harness for adapters that *are* HTTP servers (API server, webhooks): the suite's
 * clean-stop scenario asks how many connections were opened and are still open, which only the client
 * that made them can tell.
 */
export function createCountingAgent(): CountingAgent {
  const agent = new Agent({ keepAlive: true });
  let opened = 0;
  const create = agent.createConnection.bind(agent);
  agent.createConnection = ((...args: Parameters<Agent['createConnection']>) => {
    opened += 1;
    return create(...args);
  }) as Agent['createConnection'];
  return {
    agent,
    opened: () => opened,
    openSockets: () =>
      [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]
        .flat()
        .filter((s) => s && !s.destroyed).length,
    destroy: () => agent.destroy(),
  };
}
