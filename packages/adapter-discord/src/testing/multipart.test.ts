import { describe, expect, it } from 'vitest';
import { multipartBoundary, parseMultipart } from './multipart.js';

describe('parseMultipart', () => {
  it('reads what undici FormData sends (binary-safe)', async () => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'hi' }));
    const bytes = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255]);
    form.append('files[0]', new Blob([bytes], { type: 'image/png' }), 'dot ☕.png');
    const request = new Request('http://x/', { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    const boundary = multipartBoundary(request.headers.get('content-type') ?? undefined);
    expect(boundary).toBeTruthy();
    const parts = parseMultipart(body, boundary!);
    expect(parts.map((p) => p.name)).toEqual(['payload_json', 'files[0]']);
    expect(JSON.parse(parts[0]!.data.toString())).toEqual({ content: 'hi' });
    expect(parts[1]).toMatchObject({ filename: 'dot ☕.png', contentType: 'image/png' });
    expect(parts[1]!.data.equals(bytes)).toBe(true);
  });

  it('a body without the boundary is an error', () => {
    expect(() => parseMultipart(Buffer.from('nothing here'), 'abc')).toThrow(/boundary/);
    expect(multipartBoundary('application/json')).toBeUndefined();
  });
});
