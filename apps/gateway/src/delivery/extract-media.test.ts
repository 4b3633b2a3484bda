import { describe, expect, it } from 'vitest';
import { extractMedia, isSilentReply, mediaKindForPath } from './extract-media.js';

const exists = (p: string) => p.startsWith('/tmp/real');

describe('extractMedia', () => {
  it('takes MEDIA lines and honours [[audio_as_voice]]', () => {
    const r = extractMedia('Here you go\nMEDIA:/tmp/real/song.mp3\n[[audio_as_voice]]', exists);
    expect(r.text).toBe('Here you go');
    expect(r.media).toEqual([
      { kind: 'voice', source: '/tmp/real/song.mp3', name: 'song.mp3', asVoice: true },
    ]);
  });

  it('takes image URLs from Markdown and HTML, but not other links', () => {
    const r = extractMedia(
      'A ![cat](https://img.example.com/cat.png) and <img src="https://x.example.com/a.webp"> [doc](https://x.example.com/a.pdf)',
      exists,
    );
    expect(r.media.map((m) => m.source)).toEqual([
      'https://img.example.com/cat.png',
      'https://x.example.com/a.webp',
    ]);
    expect(r.text).toContain('[doc](https://x.example.com/a.pdf)');
  });

  it('takes bare paths of existing files, never inside code, never missing files', () => {
    const r = extractMedia(
      'Saved to /tmp/real/report.pdf. Also `/tmp/real/in-code.txt` and /tmp/nope/missing.txt',
      exists,
    );
    expect(r.media.map((m) => [m.kind, m.source])).toEqual([['file', '/tmp/real/report.pdf']]);
    expect(r.text).toContain('`/tmp/real/in-code.txt`');
    expect(r.text).toContain('/tmp/nope/missing.txt');
  });

  it('maps extensions to kinds and recognises silence tokens', () => {
    expect(mediaKindForPath('/a/b.ogg')).toBe('voice');
    expect(mediaKindForPath('/a/b.mp3')).toBe('audio');
    expect(mediaKindForPath('/a/b.MOV')).toBe('video');
    expect(mediaKindForPath('/a/b.jpeg')).toBe('image');
    expect(mediaKindForPath('/a/b.zip')).toBe('file');
    expect(isSilentReply(' NO_REPLY ')).toBe(true);
    expect(isSilentReply('no reply needed')).toBe(false);
  });
});
