export { DedupeCache, type DedupeCacheOptions, dedupeKey } from './dedupe-cache.js';
export { mergeInboundBatch } from './merge-inbound.js';
export {
  createTextBatcher,
  type TextBatcher,
  type TextBatcherOptions,
  withTextBatchingResolved,
} from './text-batcher.js';
