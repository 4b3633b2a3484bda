export { type CollectedTurn, collectTurn, type DoneEvent } from './collect-events.js';
export {
  echoResponder,
  type FakeChatRequest,
  type FakeOpenAI,
  type FakeOpenAIOptions,
  type FakeOpenAIRequest,
  type FakeResponder,
  lastUserText,
  startFakeOpenAI,
} from './fake-openai.js';
export { type FakeStep, type FakeToolCall, type FakeUsage, openAIErrors, step } from './steps.js';
