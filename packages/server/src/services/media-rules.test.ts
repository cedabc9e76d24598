import { describe, expect, it } from 'vitest';
import { checkMedia } from './media-rules';

const KB = 1024;
const MB = 1024 * KB;
const head = {
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  mp4: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom')]),
  gp3: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftyp3gp4')]),
  pdf: Buffer.from('%PDF-1.4'),
  ogg: Buffer.from('OggS'),
  webpStatic: Buffer.from('RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0'),
  webpAnimated: Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8X'), Buffer.from([0, 0, 0, 0, 0x02])]),
};
const check = (declaredMime: string, size: number, h: Buffer, filename?: string) => checkMedia({ declaredMime, size, head: h, filename });

describe("WhatsApp's media limits, exactly at and one byte over", () => {
  it.each([
    ['image/jpeg', 5 * MB, head.jpeg],
    ['image/png', 5 * MB, head.png],
    ['video/mp4', 16 * MB, head.mp4],
    ['video/3gpp', 16 * MB, head.gp3],
    ['audio/ogg', 16 * MB, head.ogg],
    ['audio/mpeg', 16 * MB, Buffer.from('ID3')],
    ['application/pdf', 100 * MB, head.pdf],
    ['text/plain', 100 * MB, Buffer.from('hello')],
    ['image/webp', 100 * KB, head.webpStatic],
    ['image/webp', 500 * KB, head.webpAnimated],
  ])('%s of %i bytes passes, one more is refused', (mime, max, h) => {
    expect(check(mime, max, h)).toMatchObject({ ok: true, mimeType: mime });
    expect(check(mime, max + 1, h)).toMatchObject({ ok: false });
  });

  it('refuses empty files, unknown types and mismatched content; infers from the extension', () => {
    expect(check('image/png', 0, Buffer.alloc(0))).toEqual({ ok: false, message: 'is empty' });
    expect(check('image/gif', 10, Buffer.from('GIF89a'))).toMatchObject({ ok: false });
    expect(check('application/zip', 10, Buffer.from('PK'))).toMatchObject({ ok: false });
    expect(check('image/jpeg', 10, head.png)).toMatchObject({ ok: false, message: expect.stringMatching(/image\/png/) });
    expect(check('application/pdf', 10, Buffer.from('not a pdf'))).toMatchObject({ ok: false });
    expect(check('application/octet-stream', 10, head.jpeg, 'photo.JPG')).toMatchObject({ ok: true, mimeType: 'image/jpeg', kind: 'image' });
    expect(check('image/jpg', 10, head.jpeg)).toMatchObject({ ok: true, mimeType: 'image/jpeg' });
    expect(check('', 10, Buffer.from('x'))).toMatchObject({ ok: false, message: expect.stringMatching(/no recognisable type/) });
  });
});
