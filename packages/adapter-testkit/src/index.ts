export { type ConformanceSubset, runConformanceSubset } from './conformance/run-conformance-subset.js';
export {
  runConformanceScenario,
  runConformanceSuite,
  type ScenarioOutcome,
} from './conformance/run-conformance-suite.js';
export { conformanceScenarios } from './conformance/scenario-list.js';
export * from './toolkit.js';
