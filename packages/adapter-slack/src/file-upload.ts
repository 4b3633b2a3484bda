import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  AdapterError,
  adapterErrorFromHttpStatus,
  type OutboundMedia,
  renderMarkdown,
  sanitizeFilename,
} from '@hermes/adapter-core';
import { SLACK_PLATFORM } from './constants.js';
import type { SlackOutboundDeps } from './outbound-text.js';
import { resultString, type SlackResult } from './web-api.js';

export interface SlackUploadTarget {
  channel: string;
  threadTs?: string;
}

/** Slack's upload cap. */
export const SLACK_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

async function putBytes(uploadUrl: string, bytes: Buffer, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(uploadUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bytes),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    // The file is not visible until completeUploadExternal, so sending the bytes again is harmless.
    throw new AdapterError('network', 'Slack file upload failed before an answer came back', {
      platform: SLACK_PLATFORM,
      cause: error,
    });
  }
  await response.arrayBuffer().catch(() => undefined);
  if (response.status !== 200) {
    throw adapterErrorFromHttpStatus(response.status, `Slack file upload answered HTTP ${response.status}`, {
      platform: SLACK_PLATFORM,
    });
  }
}

/** The ts of the message the file was shared in, when Slack says it. */
function sharedTs(result: SlackResult, channel: string): string | undefined {
  const files = result['files'];
  if (!Array.isArray(files)) return undefined;
  const first = files[0] as
    | { id?: unknown; shares?: Record<string, Record<string, Array<{ ts?: unknown }>>> }
    | undefined;
  for (const scope of Object.values(first?.shares ?? {})) {
    const ts = scope?.[channel]?.[0]?.ts;
    if (typeof ts === 'string') return ts;
  }
  return typeof first?.id === 'string' ? first.id : undefined;
}

/**
 * Slack's current upload flow: files.getUploadURLExternal, the bytes to the URL it returns, then
 * files.completeUploadExternal, which is what makes the file appear in the channel. The whole flow is one
 * pacer job that remembers how far it got, so a retry after a 429 on the last step does not upload again,
 * and the post itself (the last step) is never repeated after an ambiguous failure.
 */
export async function uploadSlackFile(
  deps: SlackOutboundDeps,
  target: SlackUploadTarget,
  media: OutboundMedia,
  timeoutMs: number,
): Promise<string> {
  const bytes = await readFile(media.path).catch((error: unknown) => {
    throw new AdapterError('bad_request', `cannot read the file to upload (${basename(media.path)})`, {
      platform: SLACK_PLATFORM,
      cause: error,
      retryable: false,
    });
  });
  if (bytes.length > SLACK_MAX_UPLOAD_BYTES) {
    throw new AdapterError('too_large', `file of ${bytes.length} bytes is over Slack's 1 GB upload limit`, {
      platform: SLACK_PLATFORM,
    });
  }
  const filename = sanitizeFilename(media.name ?? basename(media.path));
  let fileId: string | undefined;
  const job = async (): Promise<string> => {
    if (fileId === undefined) {
      const slot = await deps.call('files.getUploadURLExternal', { filename, length: bytes.length });
      const url = resultString(slot, 'upload_url');
      const id = resultString(slot, 'file_id');
      if (!url || !id) {
        throw new AdapterError('protocol', 'files.getUploadURLExternal gave no upload_url/file_id', {
          platform: SLACK_PLATFORM,
        });
      }
      await putBytes(url, bytes, timeoutMs);
      fileId = id;
    }
    const args: Record<string, unknown> = {
      files: JSON.stringify([{ id: fileId, title: filename }]),
      channel_id: target.channel,
    };
    if (target.threadTs !== undefined) args['thread_ts'] = target.threadTs;
    if (media.caption) args['initial_comment'] = renderMarkdown(media.caption, 'slack-mrkdwn');
    const done = await deps.call('files.completeUploadExternal', args);
    if (target.threadTs !== undefined) deps.participation.mark(target.channel, target.threadTs);
    return sharedTs(done, target.channel) ?? fileId;
  };
  return deps.pacer.run(target.channel, job);
}
