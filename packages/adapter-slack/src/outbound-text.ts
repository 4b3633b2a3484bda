import {
  AdapterError,
  type Capabilities,
  type Logger,
  type MarkdownChunk,
  measureLength,
  type SendPacer,
  splitMarkdown,
} from '@hermes/adapter-core';
import type { SlackBlock } from './actions.js';
import { SLACK_PLATFORM, SLACK_RESPLIT_FLOOR } from './constants.js';
import type { SlackThreadParticipation } from './participation.js';
import { resultString, type SlackCall } from './web-api.js';

export interface SlackOutboundDeps {
  call: SlackCall;
  pacer: SendPacer;
  participation: SlackThreadParticipation;
  capabilities: Capabilities;
  logger: Logger;
}

export interface SlackPostTarget {
  channel: string;
  threadTs?: string;
  /** `plain` when the caller asked for unformatted text (dialect of a re-split). */
  format: 'markdown' | 'plain';
  /** Blocks for the last message of the reply (its buttons), built from that message's text. */
  lastBlocks?: (rendered: string) => SlackBlock[];
  /** Called with every message Slack confirmed (liveness). */
  onPosted?: () => void;
}

async function postMessage(
  deps: SlackOutboundDeps,
  target: SlackPostTarget,
  text: string,
  blocks?: SlackBlock[],
): Promise<string> {
  const args: Record<string, unknown> = {
    channel: target.channel,
    text,
    mrkdwn: target.format === 'markdown',
  };
  if (blocks) args['blocks'] = blocks;
  if (target.threadTs !== undefined) args['thread_ts'] = target.threadTs;
  const result = await deps.call('chat.postMessage', args);
  target.onPosted?.();
  const ts = resultString(result, 'ts');
  if (ts === undefined) {
    // Posted (ok: true) but no id: report success of the post, the id is what we cannot give.
    deps.logger.warn('slack: chat.postMessage answered ok without a ts', { channel: target.channel });
    return '';
  }
  if (target.threadTs !== undefined) deps.participation.mark(target.channel, target.threadTs);
  return ts;
}

/**
 * One chunk as a pacer job. The job keeps its own progress, so when the pacer retries it (a 429, a
 * refused connection) nothing already posted is posted again. A `msg_too_long` (a limit configured near
 * Slack's cap, or Slack counting differently) re-splits the chunk smaller instead of losing it.
 */
function chunkJob(deps: SlackOutboundDeps, target: SlackPostTarget, chunk: MarkdownChunk, last: boolean) {
  const queue: MarkdownChunk[] = [chunk];
  const ids: string[] = [];
  const { lengthUnit, markdown } = deps.capabilities;
  return async (): Promise<string[]> => {
    while (queue.length > 0) {
      const next = queue[0]!;
      try {
        const blocks = last && queue.length === 1 ? target.lastBlocks?.(next.rendered) : undefined;
        ids.push(await postMessage(deps, target, next.rendered, blocks));
        queue.shift();
      } catch (error) {
        const size = measureLength(next.rendered, lengthUnit);
        if (!(error instanceof AdapterError && error.code === 'too_large') || size <= SLACK_RESPLIT_FLOOR)
          throw error;
        const limit = Math.max(SLACK_RESPLIT_FLOOR, Math.floor(size / 2));
        deps.logger.warn(
          `slack: msg_too_long for a ${size}-${lengthUnit} chunk, re-splitting it to ${limit}`,
        );
        const dialect = target.format === 'plain' ? 'plain' : markdown;
        queue.splice(0, 1, ...splitMarkdown(next.markdown, { limit, unit: lengthUnit, dialect }));
      }
    }
    return ids;
  };
}

/**
 * Posts the chunks of one reply in order. All are queued at once, so another reply to the same channel
 * cannot slip in between; a chunk only goes out when the one before it went out, so a reply that failed
 * half way stops there instead of leaving a gap.
 */
export async function postSlackChunks(
  deps: SlackOutboundDeps,
  target: SlackPostTarget,
  chunks: readonly MarkdownChunk[],
): Promise<string[]> {
  const done: boolean[] = chunks.map(() => false);
  const jobs = chunks.map((chunk, i) => {
    const job = chunkJob(deps, target, chunk, i === chunks.length - 1);
    return deps.pacer.run(target.channel, async () => {
      if (i > 0 && !done[i - 1]) {
        throw new AdapterError('aborted', `part ${i} of this reply failed, so part ${i + 1} was not sent`, {
          platform: SLACK_PLATFORM,
        });
      }
      const ids = await job();
      done[i] = true;
      return ids;
    });
  });
  const settled = await Promise.allSettled(jobs);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.filter((id) => id !== '') : []));
}
