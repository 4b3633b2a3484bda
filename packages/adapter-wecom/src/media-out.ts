import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  AdapterError,
  mimeForExtension,
  type OutboundMedia,
  SNIFF_BYTES,
  sniffMime,
} from '@hermes/adapter-core';
import {
  WECOM_FILE_MAX_BYTES,
  WECOM_IMAGE_MAX_BYTES,
  WECOM_MAX_UPLOAD_CHUNKS,
  WECOM_PLATFORM,
  WECOM_UPLOAD_CHUNK_BYTES,
  WECOM_VIDEO_MAX_BYTES,
  WECOM_VOICE_MAX_BYTES,
  WECOM_VOICE_MIMES,
  WecomCmd,
} from './constants.js';

export type WecomMediaType = 'image' | 'video' | 'voice' | 'file';

/** image/* → image, video/* → video, audio/* and Ogg → voice, anything else → file. */
export function wecomMediaTypeForMime(mime: string): WecomMediaType {
  const m = mime.split(';')[0]!.trim().toLowerCase();
  if (m.startsWith('image/')) return 'image';
  if (m.startsWith('video/')) return 'video';
  if (m.startsWith('audio/') || m === 'application/ogg') return 'voice';
  return 'file';
}

/** A local file ready for upload: size, type and the name the user will see. */
export interface WecomLocalMedia {
  path: string;
  size: number;
  mime: string;
  filename: string;
}

export type WecomUploadPlan =
  | {
      ok: true;
      type: WecomMediaType;
      /** What the media would have been without a downgrade. */
      requestedType: WecomMediaType;
      /** Why it goes as a file instead (sent to the user after the media), in WeCom users' language. */
      note?: string;
      totalChunks: number;
    }
  | { ok: false; error: AdapterError };

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

function refuse(code: string, message: string, fix: string): WecomUploadPlan {
  return {
    ok: false,
    error: new AdapterError(code, message, { platform: WECOM_PLATFORM, retryable: false, fix }),
  };
}

/**
 * Chooses the WeCom type and applies its limits: oversized images and videos, and voice that is not
 * AMR or too long, go as files with a note; anything over 20 MB is refused.
 */
export function planWecomUpload(media: WecomLocalMedia, wanted?: OutboundMedia['kind']): WecomUploadPlan {
  const requestedType = wanted === 'file' ? 'file' : wecomMediaTypeForMime(media.mime);
  const size = media.size;
  if (size === 0) return refuse('bad_request', `${media.filename} is empty`, 'send a file with content');
  if (size > WECOM_FILE_MAX_BYTES) {
    return refuse(
      'too_large',
      `⚠️ 文件 ${media.filename} 大小 ${mb(size)}MB，超过企业微信 20MB 上限，无法发送 (WeCom refuses files over 20 MB)`,
      'send a smaller file or share a link to it',
    );
  }
  const totalChunks = Math.ceil(size / WECOM_UPLOAD_CHUNK_BYTES);
  if (totalChunks > WECOM_MAX_UPLOAD_CHUNKS) {
    return refuse(
      'too_large',
      `${media.filename} needs ${totalChunks} chunks, WeCom allows ${WECOM_MAX_UPLOAD_CHUNKS}`,
      'send a smaller file',
    );
  }
  const asFile = (note: string): WecomUploadPlan => ({
    ok: true,
    type: 'file',
    requestedType,
    note,
    totalChunks,
  });
  if (requestedType === 'image' && size > WECOM_IMAGE_MAX_BYTES) {
    return asFile(`图片大小 ${mb(size)}MB 超过 10MB 限制，已转为文件格式发送`);
  }
  if (requestedType === 'video' && size > WECOM_VIDEO_MAX_BYTES) {
    return asFile(`视频大小 ${mb(size)}MB 超过 10MB 限制，已转为文件格式发送`);
  }
  if (requestedType === 'voice' && !WECOM_VOICE_MIMES.has(media.mime.toLowerCase())) {
    return asFile(`语音格式 ${media.mime} 不支持，企微仅支持 AMR 格式，已转为文件格式发送`);
  }
  if (requestedType === 'voice' && size > WECOM_VOICE_MAX_BYTES) {
    return asFile(`语音大小 ${mb(size)}MB 超过 2MB 限制，已转为文件格式发送`);
  }
  return { ok: true, type: requestedType, requestedType, totalChunks };
}

/** Reads size and type of an outbound file; the bytes' magic number wins over the extension. */
export async function describeOutboundMedia(media: OutboundMedia): Promise<WecomLocalMedia> {
  if (!media.path || /^<[^>]*>$/.test(media.path.trim())) {
    throw new AdapterError('bad_request', `"${media.path}" is a placeholder, not a file path`, {
      platform: WECOM_PLATFORM,
      fix: 'pass the path of a real local file',
    });
  }
  const path = media.path.startsWith('file://') ? new URL(media.path).pathname : media.path;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new AdapterError('not_found', `cannot read ${path}: ${(error as Error).message}`, {
      platform: WECOM_PLATFORM,
      cause: error,
    });
  }
  if (!info.isFile())
    throw new AdapterError('bad_request', `${path} is not a file`, { platform: WECOM_PLATFORM });
  const handle = await open(path, 'r');
  let head: Buffer;
  try {
    head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    head = head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const filename = media.name ?? basename(path);
  const mime =
    sniffMime(head) ?? media.mime ?? mimeForExtension(extname(filename)) ?? 'application/octet-stream';
  return { path, size: info.size, mime, filename };
}

async function md5OfFile(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: WECOM_UPLOAD_CHUNK_BYTES }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Sends one request and resolves with the response body; rejects with the WeCom error. */
export type WecomRequester = (cmd: string, body: unknown) => Promise<{ body: Record<string, unknown> }>;

/**
 * init → chunk × n → finish. Each chunk is read from disk just before it is sent and each request is
 * awaited, so memory holds one 512 KB chunk (and its base64) whatever the file size.
 */
export async function uploadWecomMedia(
  media: WecomLocalMedia,
  type: WecomMediaType,
  request: WecomRequester,
): Promise<{ mediaId: string; type: WecomMediaType }> {
  const totalChunks = Math.ceil(media.size / WECOM_UPLOAD_CHUNK_BYTES);
  const md5 = await md5OfFile(media.path);
  const init = await request(WecomCmd.uploadInit, {
    type,
    filename: media.filename,
    total_size: media.size,
    total_chunks: totalChunks,
    md5,
  });
  const uploadId = init.body['upload_id'];
  if (typeof uploadId !== 'string' || !uploadId) {
    throw new AdapterError('protocol', 'WeCom upload init answered without an upload_id', {
      platform: WECOM_PLATFORM,
    });
  }
  const handle = await open(media.path, 'r');
  try {
    for (let index = 0; index < totalChunks; index++) {
      const chunk = Buffer.alloc(
        Math.min(WECOM_UPLOAD_CHUNK_BYTES, media.size - index * WECOM_UPLOAD_CHUNK_BYTES),
      );
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, index * WECOM_UPLOAD_CHUNK_BYTES);
      if (bytesRead !== chunk.length) {
        throw new AdapterError('bad_request', `${media.filename} changed size during the upload`, {
          platform: WECOM_PLATFORM,
        });
      }
      await request(WecomCmd.uploadChunk, {
        upload_id: uploadId,
        chunk_index: index,
        base64_data: chunk.toString('base64'),
      });
    }
  } finally {
    await handle.close();
  }
  const finish = await request(WecomCmd.uploadFinish, { upload_id: uploadId });
  const mediaId = finish.body['media_id'];
  if (typeof mediaId !== 'string' || !mediaId) {
    throw new AdapterError('protocol', 'WeCom upload finish answered without a media_id', {
      platform: WECOM_PLATFORM,
    });
  }
  return { mediaId, type };
}
