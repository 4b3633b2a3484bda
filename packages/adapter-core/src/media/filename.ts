/** Longest sanitised name in UTF-8 bytes: common file systems stop at 255, and the cache adds a prefix. */
export const MAX_FILENAME_BYTES = 200;

// C0/C1 controls (NUL included) and the bidirectional overrides that make "txt.exe" display as "exe.txt".
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts whole code points off the end until the text fits in `maxBytes` of UTF-8. */
function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const point of text) {
    used += utf8Length(point);
    if (used > maxBytes) break;
    out += point;
  }
  return out;
}

function splitExtension(name: string): { stem: string; ext: string } {
  // An extension has a letter in it: "photo.2024" has none, "clip.3gp" and "a.mp3" do.
  const match = /^(.+?)(\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,16})$/.exec(name);
  return match ? { stem: match[1]!, ext: match[2]! } : { stem: name, ext: '' };
}

function cleanOnce(name: string): string {
  const segments = name.normalize('NFC').split(/[/\\]/);
  // Only the last path component survives: "../../etc/passwd" becomes "passwd".
  const last = segments.filter((s) => s.trim() !== '').pop() ?? '';
  let clean = last
    // Tabs and line breaks become spaces first, so "a\tb" stays two words rather than "ab".
    .replace(/\s+/g, ' ')
    .replace(INVISIBLE, '')
    .replace(WINDOWS_FORBIDDEN, '_')
    .trim()
    // Leading dots make hidden files ("." and ".." among them); trailing dots and spaces are dropped by Windows.
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (WINDOWS_RESERVED.test(clean)) clean = `_${clean}`;
  if (utf8Length(clean) > MAX_FILENAME_BYTES) {
    const { stem, ext } = splitExtension(clean);
    clean = truncateUtf8(stem, MAX_FILENAME_BYTES - utf8Length(ext)).trimEnd() + ext;
  }
  return clean;
}

/**
 * A file name that is safe to join onto a directory: one path component, no `..`, no leading dot, no
 * NUL or control characters, no bidi overrides, no characters Windows forbids, no Windows device name
 * (`CON`, `nul.txt`, `COM1`), at most 200 UTF-8 bytes with the extension kept. When nothing usable is
 * left, `fallback` (itself sanitised; default `file`).
 */
export function sanitizeFilename(name: string, fallback = 'file'): string {
  const clean = cleanOnce(name);
  if (clean !== '') return clean;
  const cleanFallback = cleanOnce(fallback);
  return cleanFallback === '' ? 'file' : cleanFallback;
}

function decodeExtValue(value: string): string | undefined {
  // RFC 5987 / 8187: charset'language'percent-encoded-bytes
  const match = /^([A-Za-z0-9!#$%&+^_`{}~-]+)'[^']*'(.*)$/.exec(value.trim());
  if (!match) return undefined;
  const charset = match[1]!.toLowerCase();
  const encoded = match[2]!;
  try {
    if (charset === 'utf-8') return decodeURIComponent(encoded);
    if (charset === 'iso-8859-1' || charset === 'latin1') {
      const bytes = encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
      return bytes;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

// Node hands header values over as latin1. Servers that put raw UTF-8 into `filename=` therefore arrive
// as mojibake; when the bytes form valid UTF-8, read them that way.
function repairUtf8(value: string): string {
  let sawHighByte = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff) return value; // already real text, not bytes
    if (code >= 0x80) sawHighByte = true;
  }
  if (!sawHighByte) return value;
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? value : decoded;
}

function parseParameters(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const m of header.matchAll(pattern)) {
    const key = m[1]!.toLowerCase();
    let value = m[2]!.trim();
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

/**
 * The file name a Content-Disposition header proposes: `filename*` (RFC 5987, UTF-8 or ISO-8859-1)
 * first, then `filename`. The result is decoded but NOT sanitised: it is whatever the server said
 * (it may be `../../etc/passwd`), so pass it through `sanitizeFilename` before touching the disk.
 * Undefined when the header is missing or names no file.
 */
export function filenameFromContentDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const params = parseParameters(header);
  const extended = params.get('filename*');
  const fromExtended = extended === undefined ? undefined : decodeExtValue(extended);
  if (fromExtended) return fromExtended;
  const plain = params.get('filename');
  return plain ? repairUtf8(plain) : undefined;
}

/** The last non-empty path segment of a URL, percent-decoded (unsanitised), or undefined. */
export function filenameFromUrl(url: URL): string | undefined {
  const segment = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .pop();
  if (!segment) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** True when the name ends in something that looks like an extension (`.pdf`, `.tar.gz`'s `.gz`). */
export function hasExtension(name: string): boolean {
  return splitExtension(name).ext !== '';
}
