export {
  type FakeMatrixSentMessage,
  type FakeMatrixServer,
  type FakeMatrixServerOptions,
  startFakeMatrixServer,
} from './fake-server.js';
export type { FakeMatrixEvent, FakeMatrixWorld, FakeRoom } from './fake-world.js';
export { SYNAPSE_ROOT, synapseAvailability } from './synapse/synapse-availability.js';
export { type RunningSynapse, type SynapseUser, startSynapse } from './synapse/synapse-server.js';
