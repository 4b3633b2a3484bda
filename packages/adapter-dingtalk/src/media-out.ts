import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { AdapterError, type OutboundMedia } from '@hermes/adapter-core';
import { DINGTALK_MEDIA_MAX_BYTES, DINGTALK_PLATFORM } from './constants.js';
import type { DingtalkRobotMessage } from './robot-api.js';

/** Image types DingTalk shows inline; anything else goes as a file. */
const INLINE_IMAGE = new Set(['.jpg', '.jpeg', '.png', '.gif', '.bmp']);

export interface DingtalkPreparedMedia {
  uploadType: 'image' | 'file';
  name: string;
  /** The robot template for the uploaded media id. */
  message(mediaId: string): DingtalkRobotMessage;
}

/** Checks size and picks the upload type and robot template (`sampleImageMsg` or `sampleFile`). */
export async function prepareDingtalkMedia(media: OutboundMedia): Promise<DingtalkPreparedMedia> {
  const name = media.name ?? basename(media.path);
  const ext = extname(name).toLowerCase();
  const size = (await stat(media.path)).size;
  if (size > DINGTALK_MEDIA_MAX_BYTES) {
    throw new AdapterError('too_large', `${name} is ${size} bytes; DingTalk robots take files up to 20 MB`, {
      platform: DINGTALK_PLATFORM,
    });
  }
  if (media.kind === 'image' && INLINE_IMAGE.has(ext)) {
    return {
      uploadType: 'image',
      name,
      message: (mediaId) => ({ msgKey: 'sampleImageMsg', msgParam: { photoURL: mediaId } }),
    };
  }
  return {
    uploadType: 'file',
    name,
    message: (mediaId) => ({
      msgKey: 'sampleFile',
      msgParam: { mediaId, fileName: name, fileType: ext ? ext.slice(1) : 'file' },
    }),
  };
}

/** What the chat sees when DingTalk would not take a file: its name and why it is missing. */
export function dingtalkMediaNote(media: OutboundMedia, why: string): string {
  const name = media.name ?? basename(media.path);
  return `📎 ${name} (${media.kind}) was not attached: ${why}`;
}
