// Everything that works without vitest: the CommonJS build exposes only this, because vitest refuses
// to be require()d. The conformance suite itself is ESM-only (vitest loads test files as ESM anyway).

// The raw HTTP clients live in core (its own server tests use them); the testkit hands them on. Named, not
// `export *`: the bundler turns a star re-export of an external package into a runtime copy that ESM
// named imports cannot see.
export {
  destroyRawSockets,
  openRawSocket,
  parseRawHttpResponse,
  type RawHttpResponse,
  type RawSocketOptions,
  readUntilClosed,
  requestOnSocket,
  sendRawHttp,
  serverConnections,
  socketReceives,
} from '@hermes/adapter-core/testing';
export {
  type AdapterRig,
  type AdapterRigOptions,
  type RigAdapter,
  startAdapterRig,
} from './adapter-rig.js';
export { firstMissingWord, longMarkdown, sampleMedia, tinyPng } from './conformance/fixtures.js';
export type { Scenario, ScenarioId, ScenarioRun } from './conformance/scenario.js';
export type {
  ConformanceDriver,
  ConformanceHarness,
  ConformanceTimeouts,
  ObservedEdit,
  ObservedReaction,
  SentMessage,
} from './conformance/types.js';
export { type CountingAgent, createCountingAgent } from './counting-agent.js';
export * from './fake-server/index.js';
export { freePort } from './free-port.js';
export { type RunningExample, readmeExample, runReadmeExample } from './readme-example.js';
export {
  createTestContext,
  type StatusChange,
  type TestContext,
  type TestContextOptions,
} from './test-context.js';
export { sleep, type WaitForOptions, waitFor, withTimeout } from './wait-for.js';
