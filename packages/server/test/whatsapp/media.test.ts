import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/services/ports';
import { SBX_PHONE, SBX_WABA, startWaEnv, type WaEnv } from './wa-env';

const MB = 1024 * 1024;
const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size - 8, 7)]);
const jpeg = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(size - 4, 3)]);
const webp = (size: number) => {
  const b = Buffer.alloc(size, 0);
  b.write('RIFF', 0, 'latin1');
  b.write('WEBP', 8, 'latin1');
  b.write('VP8 ', 12, 'latin1');
  return b;
};
const SECOND_PHONE = '106540352242923';

describe('media', () => {
  let env: WaEnv;
  beforeAll(async () => {
    env = await startWaEnv({
      sandbox: { wabas: [{ id: SBX_WABA, phoneNumbers: [{ id: SBX_PHONE, displayPhoneNumber: '+1 555-078-3881' }, { id: SECOND_PHONE, displayPhoneNumber: '+1 555-078-3882' }] }] },
    });
    await env.server.request('PATCH', `/api/v1/channels/whatsapp/${env.channelId}`, {
      phoneNumbers: [{ phoneNumberId: SBX_PHONE, displayNumber: '+1 555-078-3881' }, { phoneNumberId: SECOND_PHONE, displayNumber: '+1 555-078-3882' }],
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  const upload = async (data: Buffer, type: string, filename: string, role: 'admin' | 'analyst' = 'admin') => {
    const form = new FormData();
    form.append('file', new Blob([data], { type }), filename);
    const res = await fetch(`${env.server.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${await env.server.apiKey(role)}` }, body: form });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('accepts an image of exactly 5 MB and refuses one byte more, naming the limit', async () => {
    const ok = await upload(png(5 * MB), 'image/png', 'big.png');
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ mediaFileId: expect.any(String), mimeType: 'image/png', kind: 'image', size: 5 * MB });
    const tooBig = await upload(png(5 * MB + 1), 'image/png', 'bigger.png');
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.details[0]).toMatchObject({ path: 'file' });
    expect(tooBig.body.error.details[0].message).toMatch(/at most 5 MB for images/);
  });

  it('refuses types WhatsApp does not take, and content that does not match its declared type', async () => {
    const gif = await upload(Buffer.from('GIF89a....'), 'image/gif', 'a.gif');
    expect(gif.status).toBe(400);
    expect(gif.body.error.details[0].message).toMatch(/image\/gif, which WhatsApp does not accept/);
    const mismatch = await upload(jpeg(1000), 'image/png', 'a.png');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details[0].message).toMatch(/declared as image\/png but its content is image\/jpeg/);
    const sticker = await upload(webp(100 * 1024 + 1), 'image/webp', 's.webp');
    expect(sticker.status).toBe(400);
    expect(sticker.body.error.details[0].message).toMatch(/static sticker/);
    const video = await upload(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(16 * MB - 11)]), 'video/mp4', 'v.mp4');
    expect(video.status).toBe(400);
    expect(video.body.error.details[0].message).toMatch(/16 MB/);
  });

  it('infers the type from the name when the browser sends octet-stream; the same bytes give the same id', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 32)]);
    const a = await upload(pdf, 'application/octet-stream', 'order.pdf');
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ mimeType: 'application/pdf', kind: 'document', filename: 'order.pdf' });
    const b = await upload(pdf, 'application/pdf', 'again.pdf');
    expect(b.body.mediaFileId).toBe(a.body.mediaFileId);
    const content = await fetch(`${env.server.url}/api/v1/media/${a.body.mediaFileId}/content`, { headers: { authorization: `Bearer ${await env.server.apiKey('analyst')}` } });
    expect(content.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await content.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('needs channel.manage to upload', async () => {
    expect((await upload(png(100), 'image/png', 'a.png', 'analyst')).status).toBe(403);
  });

  it('uploads to a phone number once, reuses the Meta id, uploads per number, and again once Meta would forget it', async () => {
    const file = await upload(png(2048), 'image/png', 'reuse.png');
    const id = file.body.mediaFileId as string;
    const media = env.server.c.media;
    const first = await media.resolveMediaId(id, env.channelId, SBX_PHONE);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(env.sandbox.media(first.value)).toMatchObject({ phoneNumberId: SBX_PHONE, mimeType: 'image/png', fileSize: 2048 });
    const [again, concurrent] = await Promise.all([media.resolveMediaId(id, env.channelId, SBX_PHONE), media.resolveMediaId(id, env.channelId, SBX_PHONE)]);
    expect(again).toEqual(first);
    expect(concurrent).toEqual(first);
    const other = await media.resolveMediaId(id, env.channelId, SECOND_PHONE);
    expect(other.ok && other.value).not.toBe(first.value);
    const clock = env.server.c.clock as ManualClock;
    clock.advance(28 * 24 * 3600_000);
    expect(await media.resolveMediaId(id, env.channelId, SBX_PHONE)).toEqual(first);
    clock.advance(1.5 * 24 * 3600_000);
    const renewed = await media.resolveMediaId(id, env.channelId, SBX_PHONE);
    expect(renewed.ok && renewed.value).not.toBe(first.value);
    const unknown = await media.resolveMediaId('nope', env.channelId, SBX_PHONE);
    expect(unknown).toMatchObject({ ok: false, error: { mediaFileId: 'nope', code: null, retryable: false } });
  });

  it('a test send of an uploaded image carries the Meta media id', async () => {
    env.sandbox.openWindow(SBX_PHONE, '8613800138111');
    const file = await upload(png(4096), 'image/png', 'send.png');
    const r = await env.server.request('POST', '/api/v1/messages/test', {
      channelId: env.channelId, phoneNumberId: SBX_PHONE, recipients: ['+8613800138111'],
      content: { type: 'image', mediaFileId: file.body.mediaFileId, caption: 'Hi' },
    });
    expect(r.status).toBe(200);
    expect(r.body.items[0]).toMatchObject({ state: 'accepted', recipient: '+8613800138111' });
    const entry = env.sandbox.logEntries({ waId: '8613800138111' }, 10).find((e) => e.wamid === r.body.items[0].wamid);
    const mediaId = (entry?.payload.image as { id?: string }).id;
    expect(env.sandbox.media(mediaId!)?.fileSize).toBe(4096);
  });
});
