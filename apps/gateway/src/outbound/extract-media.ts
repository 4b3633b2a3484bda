import { basename, extname } from 'node:path';
import type { MediaKind } from '@hermes/adapter-core';
import { type AttachPolicy, judgeAttachment } from './attachable-path.js';

export interface ExtractedMedia {
  kind: MediaKind;
  /** A local path, or an http(s) URL that still has to go through the safe downloader. */
  source: string;
  name: string;
  asVoice: boolean;
}

const AUDIO = new Set(['.ogg', '.opus', '.mp3', '.wav', '.m4a', '.amr']);
const VIDEO = new Set(['.mp4', '.mov', '.webm']);
const IMAGE = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp']);

export function mediaKindForPath(path: string, asVoice = false): MediaKind {
  const ext = extname(path.split('?')[0] ?? path).toLowerCase();
  if (AUDIO.has(ext)) return asVoice || ext === '.ogg' || ext === '.opus' ? 'voice' : 'audio';
  if (VIDEO.has(ext)) return 'video';
  if (IMAGE.has(ext)) return 'image';
  return 'file';
}

/** Splits text into code and prose so paths inside code spans and fences are left alone. */
function proseSegments(text: string): Array<{ text: string; code: boolean }> {
  const out: Array<{ text: string; code: boolean }> = [];
  const re = /```[\s\S]*?(?:```|$)|`[^`\n]*`/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), code: false });
    out.push({ text: m[0], code: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), code: false });
  return out;
}

/** The path part of an http(s) URL, or undefined when the model wrote something that is not a URL. */
function urlPath(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

export interface ExtractOptions {
  /** Decides which local files may go out; a refused path stays in the text as written. */
  attach: AttachPolicy;
  /** Told about each refused `MEDIA:` path, for the log. */
  onRefused?(path: string, reason: string): void;
}

/**
 * Pulls what should go out as native media from an agent reply (spec 1.7): `MEDIA:<path>` lines (with
 * `[[audio_as_voice]]`), Markdown/HTML images whose URL ends in an image extension, and bare absolute
 * paths to existing files outside code. `MEDIA:` lines and image markup are removed from the text; bare
 * paths stay in it (they are part of a sentence). Local files go out only when the policy allows them.
 */
export function extractMedia(
  reply: string,
  options: ExtractOptions,
): { text: string; media: ExtractedMedia[] } {
  const media: ExtractedMedia[] = [];
  const asVoice = reply.includes('[[audio_as_voice]]');
  let text = reply.replaceAll('[[audio_as_voice]]', '');
  text = text.replace(/^[ \t]*MEDIA:[ \t]*(\S.*?)[ \t]*$/gm, (line, path: string) => {
    const verdict = judgeAttachment(path, options.attach);
    if (!verdict.ok) {
      options.onRefused?.(path, verdict.reason);
      return line;
    }
    media.push({
      kind: mediaKindForPath(path, asVoice),
      source: verdict.path,
      name: basename(path),
      asVoice,
    });
    return '';
  });
  const segments = proseSegments(text).map((seg) => {
    if (seg.code) return seg.text;
    const s = seg.text.replace(
      /!\[[^\]]*\]\((https?:\/\/[^)\s]+)\)|<img\s[^>]*src=["'](https?:\/\/[^"']+)["'][^>]*>/gi,
      (m, md?: string, html?: string) => {
        const url = md ?? html ?? '';
        const path = urlPath(url);
        if (path === undefined || !IMAGE.has(extname(path).toLowerCase())) return m;
        media.push({ kind: 'image', source: url, name: basename(path), asVoice: false });
        return '';
      },
    );
    for (const m of s.matchAll(
      /(?:^|[\s(])(\/(?:[\w.@+-]+\/)*[\w.@+-]+\.[A-Za-z0-9]{1,8})(?=$|[\s),.;:!?])/gm,
    )) {
      const path = m[1] ?? '';
      const verdict = judgeAttachment(path, options.attach);
      if (verdict.ok && !media.some((x) => x.source === verdict.path))
        media.push({
          kind: mediaKindForPath(path, asVoice),
          source: verdict.path,
          name: basename(path),
          asVoice,
        });
    }
    return s;
  });
  return {
    text: segments
      .join('')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
    media,
  };
}

/** Replies that mean "say nothing" (spec 1.7, silence tokens). */
export function isSilentReply(text: string): boolean {
  return ['[SILENT]', 'SILENT', 'NO_REPLY', 'NO REPLY', '[静默]', '静默', '[沉默]', '沉默'].includes(
    text.trim(),
  );
}
