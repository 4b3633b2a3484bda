import { describe, expect, it } from 'vitest';
import { parseMultipart } from './multipart.js';

describe('parseMultipart', () => {
  it('reads fields and files byte for byte', () => {
    const bytes = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255]);
    const body = Buffer.concat([
      Buffer.from('--XyZ\r\ncontent-disposition: form-data; name="chat_id"\r\n\r\n1001\r\n'),
      Buffer.from(
        '--XyZ\r\ncontent-disposition: form-data; name="photo"; filename="a.png"\r\ncontent-type: image/png\r\n\r\n',
      ),
      bytes,
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const parsed = parseMultipart(body, 'multipart/form-data; boundary=XyZ');
    expect(parsed.fields).toEqual({ chat_id: '1001' });
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]).toMatchObject({ field: 'photo', filename: 'a.png', contentType: 'image/png' });
    expect(parsed.files[0]!.data.equals(bytes)).toBe(true);
  });

  it('names what is wrong with a broken body', () => {
    expect(() => parseMultipart(Buffer.from('x'), 'multipart/form-data')).toThrow(/boundary/);
    expect(() =>
      parseMultipart(Buffer.from('--b\r\nname="x"\r\n\r\nv'), 'multipart/form-data; boundary=b'),
    ).toThrow(/not closed/);
  });
});
