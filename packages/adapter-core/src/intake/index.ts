export { DedupeCache, type DedupeCacheOptions, dedupeKey } from './dedupe-cache.js';
export { mergeInboundBatch } from './merge-inbound.js';
export { createTextBatcher, type TextBatcher, type TextBatcherOptions } from './text-batcher.js';
