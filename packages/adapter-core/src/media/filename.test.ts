import { describe, expect, it } from 'vitest';
import {
  filenameFromContentDisposition,
  filenameFromUrl,
  hasExtension,
  MAX_FILENAME_BYTES,
  sanitizeFilename,
} from './filename.js';

describe('sanitizeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\system32\\cmd.exe', 'cmd.exe'],
    ['/absolute/path/photo.jpg', 'photo.jpg'],
    ['C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['dir/', 'dir'],
    ['.bashrc', 'bashrc'],
    ['...hidden.txt', 'hidden.txt'],
    ['name\u0000.txt', 'name.txt'],
    ['bell\u0007 and\ttab.txt', 'bell and tab.txt'],
    ['line\nbreak.txt', 'line break.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['what?<is>this:"|*.txt', 'what__is_this____.txt'],
    ['trailing dots...', 'trailing dots'],
    ['  spaced   out  .txt', 'spaced out .txt'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['com1.log', '_com1.log'],
    ['LPT9', '_LPT9'],
    ['console.log', 'console.log'],
    ['报告.pdf', '报告.pdf'],
    ['cafe\u0301.txt', 'caf\u00e9.txt'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it.each(['', '..', '.', '/', '\\', '   ', '\u0000\u0001', '../..', '//..//'])(
    'falls back when nothing usable is left in %j',
    (input) => {
      expect(sanitizeFilename(input)).toBe('file');
      expect(sanitizeFilename(input, 'voice.ogg')).toBe('voice.ogg');
    },
  );

  it('sanitises the fallback too', () => {
    expect(sanitizeFilename('', '../x')).toBe('x');
    expect(sanitizeFilename('', '..')).toBe('file');
  });

  it('shortens over-long names to the byte limit, keeping the extension and whole characters', () => {
    const ascii = sanitizeFilename(`${'a'.repeat(500)}.jpeg`);
    expect(Buffer.byteLength(ascii)).toBe(MAX_FILENAME_BYTES);
    expect(ascii.endsWith('.jpeg')).toBe(true);

    const wide = sanitizeFilename(`${'报'.repeat(300)}.pdf`);
    expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(wide.endsWith('.pdf')).toBe(true);
    expect(wide).not.toContain('\ufffd');
    expect(wide.slice(0, -4)).toMatch(/^报+$/);

    const emoji = sanitizeFilename('😀'.repeat(100));
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(Array.from(emoji).every((c) => c === '😀')).toBe(true);
  });

  it('always gives a single path component', () => {
    for (const nasty of ['a/../../b', '\\\\server\\share\\x', 'x/./y', '%2e%2e/x']) {
      const out = sanitizeFilename(nasty);
      expect(out).not.toMatch(/[/\\]/);
      expect(out.startsWith('.')).toBe(false);
    }
  });
});

describe('filenameFromContentDisposition', () => {
  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['inline', undefined],
    ['attachment; filename=plain.txt', 'plain.txt'],
    ['attachment; filename="quoted name.pdf"', 'quoted name.pdf'],
    ['attachment; filename="semi;colon.txt"; size=10', 'semi;colon.txt'],
    ['attachment; filename="esc\\"aped.txt"', 'esc"aped.txt'],
    ['ATTACHMENT; FILENAME="upper.txt"', 'upper.txt'],
    [`attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf`, '报告.pdf'],
    [`attachment; filename*=utf-8'en'na%C3%AFve%20file.txt`, 'naïve file.txt'],
    [`attachment; filename*=ISO-8859-1''caf%E9.txt`, 'café.txt'],
    // filename* wins even when it comes second.
    [`attachment; filename="fallback.pdf"; filename*=UTF-8''%E2%82%AC%20rates.pdf`, '€ rates.pdf'],
    // A broken filename* falls back to filename.
    [`attachment; filename*=UTF-8''%E6%8A; filename="ok.txt"`, 'ok.txt'],
    [`attachment; filename*=KOI8-R''%F0; filename="ok.txt"`, 'ok.txt'],
    // Raw UTF-8 in filename= arrives from Node as latin1 text; read it back as UTF-8.
    [`attachment; filename="${Buffer.from('报告.pdf').toString('latin1')}"`, '报告.pdf'],
    // A real latin1 name that is not valid UTF-8 stays as it is.
    ['attachment; filename="caf\u00e9.txt"', 'café.txt'],
  ])('%j → %j', (header, expected) => {
    expect(filenameFromContentDisposition(header)).toBe(expected);
  });

  it('returns traversal names as sent (the caller sanitises), and sanitising neutralises them', () => {
    const raw = filenameFromContentDisposition(`attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd`);
    expect(raw).toBe('../../etc/passwd');
    expect(sanitizeFilename(raw!)).toBe('passwd');
    const windows = filenameFromContentDisposition('attachment; filename="..\\\\..\\\\boot.ini"');
    expect(sanitizeFilename(windows!)).toBe('boot.ini');
  });
});

describe('filenameFromUrl and hasExtension', () => {
  it('takes the last non-empty, decoded path segment', () => {
    expect(filenameFromUrl(new URL('https://x.test/a/b/photo%20one.jpg?x=1#f'))).toBe('photo one.jpg');
    expect(filenameFromUrl(new URL('https://x.test/a/b/'))).toBe('b');
    expect(filenameFromUrl(new URL('https://x.test/'))).toBeUndefined();
    expect(filenameFromUrl(new URL('https://x.test/bad%E0%A4'))).toBe('bad%E0%A4');
  });

  it('recognises extensions that contain a letter', () => {
    expect(hasExtension('a.mp3')).toBe(true);
    expect(hasExtension('clip.3gp')).toBe(true);
    expect(hasExtension('archive.tar.gz')).toBe(true);
    expect(hasExtension('photo.2024')).toBe(false);
    expect(hasExtension('download')).toBe(false);
    expect(hasExtension('.hidden')).toBe(false);
  });
});
