import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { InboundMessage } from '@hermes/adapter-core';
import type { PlatformCallRun, PlatformCalls } from '../state/storage.js';

/** The forwarded call that downloads an attachment on the replica that journaled its message. */
export const ATTACHMENT_OP = 'attachment';

/** Largest attachment carried between replicas through the database (base64 in one row). */
export const MAX_REMOTE_ATTACHMENT_BYTES = 20 * 1024 * 1024;

const FETCH_TIMEOUT_MS = 60_000;

interface AttachmentArgs {
  journalId: number;
  index: number;
}

interface AttachmentResult {
  fileName: string;
  data: string;
}

/**
 * Downloads attachment `index` of journal entry `entry` through the replica holding the platform's connection
 * (the one that journaled it, unless the connection moved since) and saves it under `dir`. Rejects with a
 * message the turn shows the agent when that is not possible.
 */
export async function fetchAttachmentElsewhere(
  calls: Pick<PlatformCalls, 'call'>,
  dir: string,
  entry: { id: number; platform: string },
  index: number,
): Promise<string> {
  const args: AttachmentArgs = { journalId: entry.id, index };
  const outcome = await calls.call(entry.platform, ATTACHMENT_OP, args, FETCH_TIMEOUT_MS);
  if (outcome.state === 'timeout')
    throw new Error(
      `the replica holding the ${entry.platform} connection did not hand the file over in time`,
    );
  if (outcome.state === 'failed') throw new Error(outcome.error.message);
  const result = outcome.result as Partial<AttachmentResult> | undefined;
  if (typeof result?.data !== 'string' || typeof result.fileName !== 'string')
    throw new Error('the replica holding the connection answered without the file');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `replica-${entry.id}-${index}-${basename(result.fileName)}`);
  await writeFile(path, Buffer.from(result.data, 'base64'), { mode: 0o600 });
  return path;
}

/** The holder's side: downloads the attachment with the live message's own fetcher and hands the bytes over. */
export async function serveAttachment(
  liveMessage: (journalId: number) => InboundMessage | undefined,
  args: unknown,
): Promise<PlatformCallRun> {
  const { journalId, index } = (args ?? {}) as Partial<AttachmentArgs>;
  if (typeof journalId !== 'number' || typeof index !== 'number')
    return refused('bad_request', 'malformed attachment call');
  const attachment = liveMessage(journalId)?.attachments[index];
  if (!attachment)
    return refused(
      'not_found',
      'the file is no longer available: the replica that received it restarted or forgot it; ask the user to send it again',
    );
  try {
    const path = await attachment.fetch();
    const size = (await stat(path)).size;
    if (size > MAX_REMOTE_ATTACHMENT_BYTES)
      return refused(
        'too_large',
        `the file is ${size} bytes, over the ${MAX_REMOTE_ATTACHMENT_BYTES} bytes replicas hand each other`,
      );
    const result: AttachmentResult = {
      fileName: basename(path),
      data: (await readFile(path)).toString('base64'),
    };
    return { ok: true, result };
  } catch (err) {
    return refused('download_failed', (err as Error).message);
  }
}

function refused(code: string, message: string): PlatformCallRun {
  return { ok: false, error: { code, message } };
}
