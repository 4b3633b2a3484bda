export { budgetedAdapter } from './budgeted-adapter.js';
export { type ChatBudget, ChatBudgets, chatBudget } from './chat-budget.js';
export { ReplyStreamer, type ReplyStreamerOptions, type StreamOutcome } from './reply-streamer.js';
export {
  finalPlan,
  INTERRUPTED_MARK,
  markAbandoned,
  streamedReplyKey,
  streamedReplyText,
} from './stream-finish.js';
export { type ResolvedStreaming, resolveStreaming, type StreamingMode } from './streaming-mode.js';
