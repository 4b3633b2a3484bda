import { describe, expect, it } from 'vitest';
import {
  chooseMime,
  essenceOfMime,
  extensionForMime,
  mediaKindForMime,
  mimeForExtension,
} from './mime-types.js';

describe('mediaKindForMime', () => {
  it.each([
    ['image/png', 'image'],
    ['image/webp', 'image'],
    ['IMAGE/JPEG', 'image'],
    ['audio/ogg', 'voice'],
    ['audio/ogg; codecs=opus', 'voice'],
    ['audio/opus', 'voice'],
    ['audio/mpeg', 'audio'],
    ['audio/mp4', 'audio'],
    ['audio/amr', 'audio'],
    ['video/mp4', 'video'],
    ['video/webm', 'video'],
    ['application/pdf', 'file'],
    ['text/plain', 'file'],
    ['application/octet-stream', 'file'],
    ['', 'file'],
    ['nonsense', 'file'],
  ])('%j → %s', (mime, kind) => {
    expect(mediaKindForMime(mime)).toBe(kind);
  });
});

describe('extensionForMime and mimeForExtension', () => {
  it('gives one canonical extension with its dot, or nothing for unknown types', () => {
    expect(extensionForMime('image/jpeg')).toBe('.jpg');
    expect(extensionForMime('Image/PNG; q=1')).toBe('.png');
    expect(extensionForMime('audio/ogg')).toBe('.ogg');
    expect(extensionForMime('audio/mp4')).toBe('.m4a');
    expect(extensionForMime('video/quicktime')).toBe('.mov');
    expect(extensionForMime('audio/silk')).toBe('.silk');
    expect(extensionForMime('application/x-made-up')).toBe('');
    expect(extensionForMime('application/octet-stream')).toBe('');
  });

  it('maps extensions back, case-insensitively and with aliases', () => {
    expect(mimeForExtension('.JPG')).toBe('image/jpeg');
    expect(mimeForExtension('.jpeg')).toBe('image/jpeg');
    expect(mimeForExtension('.oga')).toBe('audio/ogg');
    expect(mimeForExtension('.xyz')).toBeUndefined();
  });

  it('reads the essence of a Content-Type', () => {
    expect(essenceOfMime(' Text/HTML ; charset=UTF-8')).toBe('text/html');
    expect(essenceOfMime(undefined)).toBe('');
  });
});

describe('chooseMime', () => {
  it('trusts the bytes over a wrong or generic Content-Type', () => {
    expect(chooseMime('image/png', 'image/jpeg', 'x.jpg')).toBe('image/png');
    expect(chooseMime('image/png', 'application/octet-stream', 'x')).toBe('image/png');
  });

  it('keeps a specific ZIP-based type the server declared', () => {
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    expect(chooseMime('application/zip', docx, 'a.docx')).toBe(docx);
    expect(chooseMime('application/zip', 'text/plain', 'a.zip')).toBe('application/zip');
  });

  it('falls back to Content-Type, then the name, then octet-stream', () => {
    expect(chooseMime(undefined, 'text/plain; charset=utf-8', 'a.bin')).toBe('text/plain');
    expect(chooseMime(undefined, 'application/octet-stream', 'notes.txt')).toBe('text/plain');
    expect(chooseMime(undefined, 'not a mime', 'song.MP3')).toBe('audio/mpeg');
    expect(chooseMime(undefined, undefined, 'mystery')).toBe('application/octet-stream');
  });
});
