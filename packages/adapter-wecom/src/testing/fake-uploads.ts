import { createHash, randomBytes } from 'node:crypto';
import {
  WECOM_FILE_MAX_BYTES,
  WECOM_IMAGE_MAX_BYTES,
  WECOM_MAX_UPLOAD_CHUNKS,
  WECOM_UPLOAD_CHUNK_BYTES,
  WECOM_VIDEO_MAX_BYTES,
  WECOM_VOICE_MAX_BYTES,
  WecomCmd,
} from '../constants.js';

/** Limits the fake enforces on uploads, the same as WeCom's. */
export const wecomFakeUploadLimits = {
  chunkBytes: WECOM_UPLOAD_CHUNK_BYTES,
  maxChunks: WECOM_MAX_UPLOAD_CHUNKS,
  bytesByType: {
    image: WECOM_IMAGE_MAX_BYTES,
    video: WECOM_VIDEO_MAX_BYTES,
    voice: WECOM_VOICE_MAX_BYTES,
    file: WECOM_FILE_MAX_BYTES,
  } as Readonly<Record<string, number>>,
};

/** One chunked upload as the fake saw it. */
export interface WecomFakeUpload {
  uploadId: string;
  type: string;
  filename: string;
  totalSize: number;
  totalChunks: number;
  md5: string;
  /** chunk_index → decoded bytes; the order chunks arrived in is in `arrival`. */
  chunks: Map<number, Buffer>;
  arrival: number[];
  mediaId?: string;
}

export type WecomFakeUploadResult =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; errcode: number; errmsg: string };

const INVALID = 40058;
const BAD_SIZE = 40006;

function bad(errmsg: string, errcode = INVALID): WecomFakeUploadResult {
  return { ok: false, errcode, errmsg };
}

export function createWecomUploadLedger() {
  const uploads = new Map<string, WecomFakeUpload>();
  const media = new Map<string, { type: string; filename: string; data: Buffer }>();

  const init = (body: Record<string, unknown>): WecomFakeUploadResult => {
    const { type, filename, total_size: size, total_chunks: chunks, md5 } = body;
    if (typeof type !== 'string' || !(type in wecomFakeUploadLimits.bytesByType))
      return bad(`invalid type ${String(type)}`);
    if (typeof filename !== 'string' || !filename.trim()) return bad('filename is required');
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
      return bad('total_size must be a positive integer');
    if (size > (wecomFakeUploadLimits.bytesByType[type] ?? 0))
      return bad(`${type} larger than WeCom allows`, BAD_SIZE);
    if (typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks < 1)
      return bad('total_chunks must be >= 1');
    if (chunks > wecomFakeUploadLimits.maxChunks)
      return bad(`total_chunks above ${wecomFakeUploadLimits.maxChunks}`);
    if (chunks < Math.ceil(size / wecomFakeUploadLimits.chunkBytes))
      return bad('chunks would exceed 512 KB each');
    if (typeof md5 !== 'string' || !/^[0-9a-f]{32}$/i.test(md5)) return bad('md5 must be 32 hex digits');
    const uploadId = `upload-${randomBytes(8).toString('hex')}`;
    uploads.set(uploadId, {
      uploadId,
      type,
      filename,
      totalSize: size,
      totalChunks: chunks,
      md5: md5.toLowerCase(),
      chunks: new Map(),
      arrival: [],
    });
    return { ok: true, body: { upload_id: uploadId } };
  };

  const chunk = (body: Record<string, unknown>): WecomFakeUploadResult => {
    const upload = uploads.get(String(body['upload_id'] ?? ''));
    if (!upload || upload.mediaId) return bad('invalid upload_id');
    const index = body['chunk_index'];
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= upload.totalChunks) {
      return bad(`chunk_index ${String(index)} outside 0..${upload.totalChunks - 1}`);
    }
    const data = body['base64_data'];
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data))
      return bad('base64_data is not base64');
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length === 0 || bytes.length > wecomFakeUploadLimits.chunkBytes)
      return bad('chunk must be 1 byte to 512 KB');
    upload.chunks.set(index, bytes);
    upload.arrival.push(index);
    return { ok: true, body: {} };
  };

  const finish = (body: Record<string, unknown>): WecomFakeUploadResult => {
    const upload = uploads.get(String(body['upload_id'] ?? ''));
    if (!upload || upload.mediaId) return bad('invalid upload_id');
    const parts: Buffer[] = [];
    for (let i = 0; i < upload.totalChunks; i++) {
      const part = upload.chunks.get(i);
      if (!part) return bad(`chunk ${i} missing`);
      parts.push(part);
    }
    const data = Buffer.concat(parts);
    if (data.length !== upload.totalSize)
      return bad(`received ${data.length} bytes, total_size was ${upload.totalSize}`);
    if (createHash('md5').update(data).digest('hex') !== upload.md5) return bad('md5 mismatch');
    if (upload.type === 'voice' && !data.subarray(0, 6).toString('latin1').startsWith('#!AMR'))
      return bad('voice must be AMR');
    const mediaId = `media-${randomBytes(10).toString('hex')}`;
    upload.mediaId = mediaId;
    media.set(mediaId, { type: upload.type, filename: upload.filename, data });
    return {
      ok: true,
      body: { media_id: mediaId, type: upload.type, created_at: Math.floor(Date.now() / 1000) },
    };
  };

  return {
    uploads: uploads as ReadonlyMap<string, WecomFakeUpload>,
    media,
    handle(cmd: string, body: Record<string, unknown>): WecomFakeUploadResult {
      if (cmd === WecomCmd.uploadInit) return init(body);
      if (cmd === WecomCmd.uploadChunk) return chunk(body);
      return finish(body);
    },
  };
}
