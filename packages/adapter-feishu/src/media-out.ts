import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { AdapterError, type OutboundMedia } from '@hermes/adapter-core';
import { FEISHU_FILE_MAX_BYTES, FEISHU_IMAGE_MAX_BYTES, FEISHU_PLATFORM } from './constants.js';
import type { FeishuBody } from './format.js';
import type { FeishuRestClient } from './rest-client.js';

/** The `file_type` of im/v1/files for an extension (stream = anything else). */
const FILE_TYPES: Record<string, string> = {
  '.opus': 'opus',
  '.ogg': 'opus',
  '.mp4': 'mp4',
  '.pdf': 'pdf',
  '.doc': 'doc',
  '.docx': 'doc',
  '.xls': 'xls',
  '.xlsx': 'xls',
  '.ppt': 'ppt',
  '.pptx': 'ppt',
};

export type FeishuUploadPlan =
  | { via: 'image' }
  | { via: 'file'; fileType: string; msgType: 'file' | 'audio' | 'media' };

/** How one outbound file goes up: images as images (GIF and oversized ones as files), opus as a voice bubble. */
export function planFeishuUpload(media: OutboundMedia, bytes: number): FeishuUploadPlan {
  const name = media.name ?? basename(media.path);
  const ext = extname(name).toLowerCase();
  const isGif = ext === '.gif' || media.mime === 'image/gif';
  if (media.kind === 'image' && !isGif && bytes <= FEISHU_IMAGE_MAX_BYTES) return { via: 'image' };
  const fileType = FILE_TYPES[ext] ?? 'stream';
  if (fileType === 'opus') return { via: 'file', fileType, msgType: 'audio' };
  if (fileType === 'mp4') return { via: 'file', fileType, msgType: 'media' };
  return { via: 'file', fileType, msgType: 'file' };
}

/** Uploads one local file and returns the message body that shows it. */
export async function uploadFeishuMedia(rest: FeishuRestClient, media: OutboundMedia): Promise<FeishuBody> {
  const size = (await stat(media.path)).size;
  if (size === 0)
    throw new AdapterError('bad_request', `${basename(media.path)} is empty; Feishu refuses empty uploads`, {
      platform: FEISHU_PLATFORM,
    });
  if (size > FEISHU_FILE_MAX_BYTES)
    throw new AdapterError(
      'too_large',
      `${basename(media.path)} is ${size} bytes; Feishu takes files up to 30 MB`,
      {
        platform: FEISHU_PLATFORM,
        fix: 'Send a smaller file or a link to it.',
      },
    );
  const plan = planFeishuUpload(media, size);
  const name = media.name ?? basename(media.path);
  if (plan.via === 'image') {
    const imageKey = await rest.uploadImage(media.path);
    return { msgType: 'image', content: JSON.stringify({ image_key: imageKey }) };
  }
  const fileKey = await rest.uploadFile(media.path, { fileType: plan.fileType, name });
  return { msgType: plan.msgType, content: JSON.stringify({ file_key: fileKey }) };
}
