import type { Scenario } from './scenario.js';
import { contractMembers, lifecycleErrors } from './scenarios/contract.js';
import { dmText, groupMention, groupWithoutMention, mediaIn, threadReply } from './scenarios/inbound.js';
import {
  capabilitiesShape,
  deleteScenario,
  editScenario,
  reactionsScenario,
  typingScenario,
} from './scenarios/optional-methods.js';
import { idempotentSend, longReplySplit, mediaOut } from './scenarios/outbound.js';
import { cleanStop, malformed, rateLimit, reconnect, startOnline } from './scenarios/resilience.js';

/** Every scenario, in the order the suite registers them. */
export const conformanceScenarios: readonly Scenario[] = [
  startOnline,
  capabilitiesShape,
  contractMembers,
  lifecycleErrors,
  dmText,
  groupMention,
  groupWithoutMention,
  threadReply,
  longReplySplit,
  idempotentSend,
  mediaOut,
  mediaIn,
  editScenario,
  deleteScenario,
  typingScenario,
  reactionsScenario,
  reconnect,
  rateLimit,
  malformed,
  cleanStop,
];
