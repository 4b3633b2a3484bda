import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AttachPolicy, gatewayAttachPolicy, judgeAttachment } from './attachable-path.js';
import { extractMedia, isSilentReply, mediaKindForPath } from './extract-media.js';

const base = mkdtempSync(join(tmpdir(), 'hermes-extract-'));
const work = join(base, 'work');
const home = join(base, 'hermes-home');
const cache = join(home, 'cache');
const outside = join(base, 'outside');
for (const d of [work, join(work, '.secret'), cache, outside]) mkdirSync(d, { recursive: true });
const file = (p: string) => {
  writeFileSync(p, 'x');
  return p;
};
const song = file(join(work, 'song.mp3'));
const report = file(join(work, 'report.pdf'));
const inCode = file(join(work, 'in-code.txt'));
const cached = file(join(cache, 'img.png'));
const envFile = file(join(home, '.env'));
const config = file(join(home, 'config.yaml'));
const hidden = file(join(work, '.secret', 'key.pem'));
const elsewhere = file(join(outside, 'id_rsa'));
symlinkSync(elsewhere, join(work, 'link-to-key'));

const policy: AttachPolicy = gatewayAttachPolicy({
  home,
  cacheDir: cache,
  workDir: work,
  extraRoots: undefined,
});
const extract = (reply: string) => extractMedia(reply, { attach: policy });

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('extractMedia', () => {
  it('takes MEDIA lines and honours [[audio_as_voice]]', () => {
    const r = extract(`Here you go\nMEDIA:${song}\n[[audio_as_voice]]`);
    expect(r.text).toBe('Here you go');
    expect(r.media).toEqual([{ kind: 'voice', source: song, name: 'song.mp3', asVoice: true }]);
  });

  it('takes image URLs from Markdown and HTML, but not other links', () => {
    const r = extract(
      'A ![cat](https://img.example.com/cat.png) and <img src="https://x.example.com/a.webp"> [doc](https://x.example.com/a.pdf)',
    );
    expect(r.media.map((m) => m.source)).toEqual([
      'https://img.example.com/cat.png',
      'https://x.example.com/a.webp',
    ]);
    expect(r.text).toContain('[doc](https://x.example.com/a.pdf)');
  });

  it('leaves a malformed image URL as text instead of throwing', () => {
    const reply = 'Look: ![x](http://[zz.png) and ![y](https://ok.example.com/y.png)';
    const r = extract(reply);
    expect(r.text).toContain('![x](http://[zz.png)');
    expect(r.media.map((m) => m.source)).toEqual(['https://ok.example.com/y.png']);
  });

  it('attaches bare paths of allowed files but keeps them in the sentence; never inside code', () => {
    const r = extract(`Saved to ${report}. Also \`${inCode}\` and /tmp/nope/missing.txt`);
    expect(r.media.map((m) => [m.kind, m.source])).toEqual([['file', report]]);
    expect(r.text).toBe(`Saved to ${report}. Also \`${inCode}\` and /tmp/nope/missing.txt`);
  });

  it('does not cut a bare path that may not be attached out of the prose', () => {
    const r = extract(`config is at ${config}. Bye.`);
    expect(r.media).toEqual([]);
    expect(r.text).toBe(`config is at ${config}. Bye.`);
  });

  it.each([
    ['a file outside every allowed folder', elsewhere, 'outside_allowed'],
    ['a traversal back into HERMES_HOME', join(work, '..', 'hermes-home', 'config.yaml'), 'outside_allowed'],
    ['a hidden folder under the work dir', hidden, 'hidden'],
    ['a symlink pointing outside', join(work, 'link-to-key'), 'outside_allowed'],
    ['a system file', '/etc/passwd', 'outside_allowed'],
    ['a relative path', 'song.mp3', 'outside_allowed'],
  ])('refuses MEDIA: for %s and leaves the line as text', (_what, path, reason) => {
    const refused: string[] = [];
    const r = extractMedia(`Here:\nMEDIA:${path}`, {
      attach: policy,
      onRefused: (_p, why) => refused.push(why),
    });
    expect(r.media).toEqual([]);
    expect(r.text).toContain(`MEDIA:${path}`);
    expect(refused).toEqual([reason]);
  });

  it('never attaches from HERMES_HOME, even when the gateway runs inside it', () => {
    const fromHome = gatewayAttachPolicy({ home, cacheDir: cache, workDir: home, extraRoots: undefined });
    expect(judgeAttachment(config, fromHome)).toEqual({ ok: false, reason: 'denied' });
    expect(judgeAttachment(envFile, fromHome)).toEqual({ ok: false, reason: 'denied' });
    expect(judgeAttachment(cached, fromHome)).toEqual({ ok: true, path: cached });
  });

  it('allows the media cache although it lives under HERMES_HOME', () => {
    expect(judgeAttachment(cached, policy)).toEqual({ ok: true, path: cached });
  });

  it('allows extra roots from HERMES_MEDIA_ROOTS', () => {
    const extra = gatewayAttachPolicy({
      home,
      cacheDir: cache,
      workDir: work,
      extraRoots: `relative:${outside}`,
    });
    expect(judgeAttachment(elsewhere, extra)).toEqual({ ok: true, path: elsewhere });
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
