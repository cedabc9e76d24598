import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PHONE_ID, startHarness, TOKEN, WABA_ID, type Harness } from '../test-support/sandbox-harness';
import { RECIPIENT } from '../test-support/payloads';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

const KB = 1024;
const MB = 1024 * KB;

function webp(size: number, animated: boolean): Buffer {
  const data = Buffer.alloc(size);
  data.write('RIFF', 0, 'latin1');
  data.write('WEBP', 8, 'latin1');
  data.write('VP8X', 12, 'latin1');
  data[20] = animated ? 0x02 : 0x00;
  return data;
}

async function upload(file: Buffer | undefined, mime: string, opts: { product?: string | null; typeField?: boolean } = {}) {
  const form = new FormData();
  if (opts.product !== null) form.append('messaging_product', opts.product ?? 'whatsapp');
  if (opts.typeField !== false) form.append('type', mime);
  if (file) form.append('file', new Blob([file], { type: mime }), 'upload.bin');
  const res = await fetch(`${h.server.url}/sandbox/graph/v23.0/${PHONE_ID}/media`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('media upload', () => {
  it('stores a file and describes it at GET /{media-id} with a short-lived, token-protected URL', async () => {
    const bytes = Buffer.from('\xff\xd8\xff\xe0 sandbox jpeg', 'latin1');
    const up = await upload(bytes, 'image/jpeg');
    expect(up.status).toBe(200);
    const id = String(up.body['id']);
    expect(id).toMatch(/^\d+$/);
    const info = await h.graph(`/${id}`);
    expect(info.body).toMatchObject({ messaging_product: 'whatsapp', mime_type: 'image/jpeg', file_size: bytes.length, id, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const url = String(info.body['url']);
    const withToken = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(Buffer.from(await withToken.arrayBuffer())).toEqual(bytes);
    expect((await fetch(url)).status).toBe(401);
    h.time.advance(5 * 60_000 + 1);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('a file part without a type field takes the part content type', async () => {
    expect((await upload(Buffer.from('%PDF-1.4'), 'application/pdf', { typeField: false })).status).toBe(200);
  });

  it('DELETE removes the media; it can no longer be read', async () => {
    const id = String((await upload(Buffer.from('OggS'), 'audio/ogg')).body['id']);
    expect((await h.graph(`/${id}`, { method: 'DELETE' })).body).toEqual({ success: true });
    expect((await h.graph(`/${id}`)).body['error']).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it.each([
    ['an image over 5 MB', () => upload(Buffer.alloc(5 * MB + 1), 'image/png')],
    ['a video over 16 MB', () => upload(Buffer.alloc(16 * MB + 1), 'video/mp4')],
    ['an unsupported type (GIF)', () => upload(Buffer.from('GIF89a'), 'image/gif')],
    ['a static sticker over 100 KB', () => upload(webp(100 * KB + 1, false), 'image/webp')],
    ['an animated sticker over 500 KB', () => upload(webp(500 * KB + 1, true), 'image/webp')],
  ])('%s is refused with 131053', async (_name, run) => {
    const r = await run();
    expect(r.status).toBe(400);
    expect(r.body['error']).toMatchObject({ code: 131053 });
  });

  it('an animated sticker of 400 KB is accepted (the 500 KB limit applies to animated ones)', async () => {
    expect((await upload(webp(400 * KB, true), 'image/webp')).status).toBe(200);
  });

  it('an upload without messaging_product or without a file is refused with 100', async () => {
    expect((await upload(Buffer.from('x'), 'text/plain', { product: null })).body['error']).toMatchObject({ code: 100 });
    expect((await upload(undefined, 'text/plain')).body['error']).toMatchObject({ code: 100 });
  });

  it('an uploaded audio file sent as an image fails at delivery with 131053', async () => {
    const id = String((await upload(Buffer.from('OggS'), 'audio/ogg')).body['id']);
    h.sandbox.openWindow(PHONE_ID, RECIPIENT);
    const r = await h.send({ to: RECIPIENT, type: 'image', image: { id } });
    expect(r.status).toBe(200);
    const wamid = (r.body['messages'] as Array<{ id: string }>)[0]!.id;
    await h.advance(1000);
    await h.receiver.waitFor(() => h.receiver.statuses().some((s) => s.id === wamid), 'failed status');
    expect(h.receiver.statuses().find((s) => s.id === wamid)!.errors![0]!.code).toBe(131053);
  });
});

describe('phone number and account nodes', () => {
  it('GET /{phone-number-id} answers the connection check with the number details', async () => {
    const r = await h.graph(`/${PHONE_ID}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: PHONE_ID,
      display_phone_number: '+1 555-078-3881',
      verified_name: 'Wareach Sandbox',
      quality_rating: 'GREEN',
      code_verification_status: 'VERIFIED',
      platform_type: 'CLOUD_API',
      throughput: { level: 'HIGH' },
    });
  });

  it('fields= selects what comes back', async () => {
    await h.inbox('/faults', { method: 'PUT', body: { throughputPerSecond: 80 } });
    expect((await h.graph(`/${PHONE_ID}?fields=throughput`)).body).toEqual({ id: PHONE_ID, throughput: { level: 'STANDARD' } });
  });

  it('the WABA node and its phone_numbers edge are readable', async () => {
    expect((await h.graph(`/${WABA_ID}`)).body).toMatchObject({ id: WABA_ID, name: 'Wareach Sandbox' });
    const numbers = await h.graph(`/${WABA_ID}/phone_numbers`);
    expect((numbers.body['data'] as Array<{ id: string }>).map((n) => n.id)).toEqual([PHONE_ID]);
  });

  it('an unknown object id is 100/33 and an unknown path is 2500, both in Meta error shape', async () => {
    expect((await h.graph('/123456')).body['error']).toMatchObject({ code: 100, error_subcode: 33 });
    const r = await h.graph(`/${PHONE_ID}/no_such_edge/deeper`);
    expect(r.status).toBe(400);
    expect(r.body['error']).toMatchObject({ code: 2500 });
  });

  it('a token is required for reads too', async () => {
    const r = await h.graph(`/${PHONE_ID}`, { token: 'wrong' });
    expect(r.status).toBe(401);
    expect(r.body['error']).toMatchObject({ code: 190 });
  });
});
