import { createServer } from 'node:net';
import { buildSendRequest, templateDefinitionSchema, type MessageContent } from '@wareach/core';
import { createManualTime, createSandbox, startSandboxServer, type ManualTime, type Sandbox, type SandboxServer } from '@wareach/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCloudApiClient, type CloudApiClient, type SendContext } from './cloud-api-client';

// The client against the sandbox over real loopback HTTP. The sandbox runs on a manual clock and the
// client's injected sleep advances it, so backoffs are checked exactly and nothing sleeps for real.
const TOKEN = 'client-test-token';
const PHONE = '106540352242922';
const WABA = '102290129340398';
const USER = '+8613800138000';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 1)]);

let time: ManualTime;
let sandbox: Sandbox;
let sbx: SandboxServer;
let sleeps: number[];
let onSleep: ((ms: number) => void) | undefined;
let ctx: SendContext;

const newClient = (o: Parameters<typeof createCloudApiClient>[0] = {}): CloudApiClient =>
  createCloudApiClient({
    sleep: async (ms) => {
      sleeps.push(ms);
      onSleep?.(ms);
      time.advance(ms);
    },
    random: () => 0.5,
    ...o,
  });
let client: CloudApiClient;

beforeAll(async () => {
  time = createManualTime(Date.UTC(2026, 0, 5, 9, 0, 0));
  sandbox = createSandbox({ accessTokens: [TOKEN], appSecret: 's', now: time.now, scheduler: time.scheduler });
  sbx = await startSandboxServer({ sandbox });
  ctx = { baseUrl: `${sbx.url}/sandbox/graph`, version: 'v23.0', accessToken: TOKEN, phoneNumberId: PHONE };
});
afterAll(async () => {
  await sbx.close();
});
beforeEach(() => {
  sandbox.reset();
  sandbox.openWindow(PHONE, USER.slice(1));
  sleeps = [];
  onSleep = undefined;
  client = newClient();
});
afterEach(async () => {
  await client.close();
});

const build = (content: unknown, mediaIds: Record<string, string> = {}, callback = 'delivery-1') => {
  const r = buildSendRequest(content as MessageContent, { phone: USER, oneId: 'u-1', attributes: { first_name: 'Mei' }, tags: {} }, { bizOpaqueCallbackData: callback, mediaIds });
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
};

describe('sending every content type', () => {
  it('sends text, media by link and by uploaded id, cta_url, list, reply buttons and a template, each accepted with its wamid', async () => {
    const up = await client.uploadMedia(ctx, { data: new Blob([PNG]), mimeType: 'image/png', filename: 'a.png' });
    expect(up.ok).toBe(true);
    const mediaId = up.ok ? up.value.id : '';
    const list = await client.listTemplates(ctx, WABA);
    expect(list.ok).toBe(true);
    const spring = list.ok ? list.value.find((t) => t.name === 'spring_promo' && t.language === 'en') : undefined;
    const def = templateDefinitionSchema.parse({ name: spring!.name, language: spring!.language, parameterFormat: spring!.parameter_format, components: spring!.components });
    const contents: Record<string, unknown> = {
      text: { type: 'text', body: 'Hello {{attr.first_name}}', previewUrl: true },
      imageLink: { type: 'image', link: 'https://cdn.example.com/a.png', caption: 'A picture' },
      imageId: { type: 'image', mediaFileId: 'mf-1', caption: 'Uploaded' },
      video: { type: 'video', link: 'https://cdn.example.com/a.mp4' },
      document: { type: 'document', link: 'https://cdn.example.com/a.pdf', filename: 'order.pdf' },
      cta_url: { type: 'cta_url', header: { type: 'text', text: 'Sale' }, body: 'Tap to see', footer: 'Bye', displayText: 'See offers', url: 'https://shop.example.com/sale' },
      list: { type: 'list', header: { type: 'text', text: 'Stores' }, body: 'Pick one', button: 'Stores', sections: [{ title: 'SZ', rows: [{ id: 'sz-1', title: 'Futian', description: 'Metro' }] }] },
      buttons: { type: 'buttons', header: { type: 'image', mediaFileId: 'mf-1' }, body: 'Did you like it?', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] },
      template: {
        type: 'template',
        template: def,
        bindings: {
          'header.media': { kind: 'media', link: 'https://cdn.example.com/sale.png' },
          'body.1': { kind: 'attribute', name: 'first_name' },
          'body.2': { kind: 'constant', value: '25%' },
          'body.3': { kind: 'constant', value: '31 March' },
          'button.2': { kind: 'constant', value: 'spring25' },
        },
      },
    };
    for (const [name, content] of Object.entries(contents)) {
      const out = await client.sendMessage(ctx, build(content, { 'mf-1': mediaId }, `delivery-${name}`));
      expect(out, name).toMatchObject({ kind: 'accepted', waId: '8613800138000', attempts: 1 });
      if (out.kind === 'accepted') expect(out.wamid).toMatch(/^wamid\./);
    }
    const sent = sandbox.logEntries({ phoneNumberId: PHONE }, 100).filter((e) => e.direction === 'outbound');
    expect(sent.map((e) => e.bizOpaqueCallbackData).sort()).toEqual(Object.keys(contents).map((n) => `delivery-${n}`).sort());
    expect(sleeps).toEqual([]);
  });
});

describe('errors are classified by code and retried only when worth it', () => {
  it('throughput 130429 arrives as HTTP 400, backs off (core backoff, jitter) and the retry is accepted', async () => {
    sandbox.updateConfig({ faults: { throughputPerSecond: 1 } });
    expect((await client.sendMessage(ctx, build({ type: 'text', body: 'one' }))).kind).toBe('accepted');
    const out = await client.sendMessage(ctx, build({ type: 'text', body: 'two' }));
    expect(out).toMatchObject({ kind: 'accepted', attempts: 2 });
    // 130429: base 2 s, equal jitter with random 0.5 → 1.5 s.
    expect(sleeps).toEqual([1500]);
    expect(sandbox.summary().messages.rejectedByCode['130429']).toBe(1);
  });

  it('pair rate 131056 backs off by the recipient policy (4^x) and retries', async () => {
    sandbox.updateConfig({ faults: { pairLimit: { enabled: true, intervalMs: 6000, burst: 1 } } });
    await client.sendMessage(ctx, build({ type: 'text', body: 'one' }));
    const out = await client.sendMessage(ctx, build({ type: 'text', body: 'two' }));
    expect(out).toMatchObject({ kind: 'accepted', attempts: 2 });
    expect(sleeps).toEqual([9000]);
  });

  it('a throttle longer than maxWaitMs comes back with retryAfterMs instead of blocking the worker', async () => {
    const c = newClient({ retry: { maxWaitMs: 1000 } });
    sandbox.updateConfig({ faults: { throughputPerSecond: 1 } });
    await c.sendMessage(ctx, build({ type: 'text', body: 'one' }));
    const out = await c.sendMessage(ctx, build({ type: 'text', body: 'two' }));
    expect(out).toMatchObject({ kind: 'failed', code: 130429, httpStatus: 400, attempts: 1, retryAfterMs: 1500, classification: { kind: 'throttled', throttleScope: 'phone_number' } });
    expect(sleeps).toEqual([]);
    await c.close();
  });

  it('5xx is retried with exponential backoff and jitter until it succeeds', async () => {
    sandbox.updateConfig({ faults: { serverErrorRatio: 1 } });
    onSleep = () => { if (sleeps.length === 2) sandbox.updateConfig({ faults: { serverErrorRatio: 0 } }); };
    const out = await client.sendMessage(ctx, build({ type: 'text', body: 'hi' }));
    expect(out).toMatchObject({ kind: 'accepted', attempts: 3 });
    expect(sleeps).toEqual([1500, 3000]);
  });

  it('5xx that does not recover fails transient after maxAttempts, flagged may-have-sent', async () => {
    sandbox.updateConfig({ faults: { serverErrorRatio: 1 } });
    const out = await client.sendMessage(ctx, build({ type: 'text', body: 'hi' }));
    expect(out).toMatchObject({ kind: 'failed', code: 131000, httpStatus: 500, attempts: 4, classification: { kind: 'transient', retryable: true, mayHaveSent: true } });
    expect(sleeps).toEqual([1500, 3000, 6000]);
    if (out.kind === 'failed') expect(out.retryAfterMs).toBe(12000);
  });

  it('a network error is transient and retried', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const out = await client.sendMessage({ ...ctx, baseUrl: `http://127.0.0.1:${port}/graph` }, build({ type: 'text', body: 'hi' }));
    expect(out).toMatchObject({ kind: 'failed', code: null, httpStatus: null, title: 'Network error', attempts: 4, classification: { kind: 'transient' } });
  });

  it('a timeout is transient', async () => {
    const c = newClient({ timeoutMs: 150, retry: { maxAttempts: 1 } });
    sandbox.updateConfig({ faults: { latency: { fixedMs: 60_000, jitterMs: 0 } } });
    const out = await c.sendMessage(ctx, build({ type: 'text', body: 'hi' }));
    expect(out).toMatchObject({ kind: 'failed', code: null, title: 'Request timed out', classification: { kind: 'transient', mayHaveSent: true } });
    sandbox.updateConfig({ faults: { latency: { fixedMs: 0, jitterMs: 0 } } });
    time.advance(60_000);
    await c.close();
  });

  it('190 says the token is bad and is not retried', async () => {
    const out = await client.sendMessage({ ...ctx, accessToken: 'wrong' }, build({ type: 'text', body: 'hi' }));
    expect(out).toMatchObject({ kind: 'failed', code: 190, httpStatus: 401, attempts: 1, classification: { kind: 'token', retryable: false } });
    expect(sleeps).toEqual([]);
  });

  it('permanent errors fail at once with code and title', async () => {
    const out = await client.sendMessage(ctx, { messaging_product: 'whatsapp', to: USER, type: 'text', text: {} });
    expect(out.kind).toBe('failed');
    if (out.kind === 'failed') {
      expect(out.classification).toMatchObject({ kind: 'permanent', retryable: false });
      expect(out.code).toBeGreaterThan(0);
      expect(out.title).not.toBe('');
      expect(out.attempts).toBe(1);
    }
  });

  it('delivery errors returned synchronously keep their meaning: 131026 unreachable, 131047 window closed', async () => {
    sandbox.updateConfig({ faults: { syncDeliveryErrors: true, unreachable: { numbers: ['+8613900000001'], ratio: 0 } } });
    const unreachable = buildSendRequest({ type: 'text', body: 'hi' }, { phone: '+8613900000001', attributes: {}, tags: {} });
    const a = await client.sendMessage(ctx, unreachable.ok ? unreachable.value : {});
    expect(a).toMatchObject({ kind: 'failed', code: 131026, classification: { kind: 'unreachable' } });
    const closed = buildSendRequest({ type: 'text', body: 'hi' }, { phone: '+8613900000002', attributes: {}, tags: {} });
    const b = await client.sendMessage(ctx, closed.ok ? closed.value : {});
    expect(b).toMatchObject({ kind: 'failed', code: 131047, classification: { kind: 'window_closed' } });
  });
});

describe('management calls', () => {
  it('uploads media (multipart), reads it back, and refuses a type WhatsApp does not take', async () => {
    const up = await client.uploadMedia(ctx, { data: new Blob([PNG]), mimeType: 'image/png', filename: 'a.png' });
    expect(up.ok).toBe(true);
    if (!up.ok) return;
    const info = await client.getMedia(ctx, up.value.id);
    expect(info).toMatchObject({ ok: true, value: { id: up.value.id, mime_type: 'image/png', file_size: PNG.length } });
    const bad = await client.uploadMedia(ctx, { data: new Blob([Buffer.from('x')]), mimeType: 'image/gif', filename: 'a.gif' });
    expect(bad).toMatchObject({ ok: false, error: { code: 131053 } });
  });

  it('lists templates following every cursor page', async () => {
    const all = await client.listTemplates(ctx, WABA, { pageSize: 100 });
    const paged = await client.listTemplates(ctx, WABA, { pageSize: 2 });
    expect(all.ok && paged.ok).toBe(true);
    if (!all.ok || !paged.ok) return;
    expect(all.value.length).toBeGreaterThan(4);
    expect(paged.pages).toBe(Math.ceil(all.value.length / 2));
    expect(paged.value.map((t) => t.id).sort()).toEqual(all.value.map((t) => t.id).sort());
  });

  it('creates a template (PENDING) and reads a phone number', async () => {
    const r = await client.createTemplate(ctx, WABA, { name: 'client_test', language: 'en', category: 'UTILITY', components: [{ type: 'BODY', text: 'Your code is {{1}}', example: { body_text: [['1234']] } }] });
    expect(r).toMatchObject({ ok: true, value: { status: 'PENDING' } });
    const p = await client.getPhoneNumber(ctx, PHONE);
    expect(p).toMatchObject({ ok: true, value: { id: PHONE, display_phone_number: '+1 555-078-3881' } });
    const wrong = await client.getPhoneNumber({ ...ctx, accessToken: 'nope' }, PHONE);
    expect(wrong).toMatchObject({ ok: false, error: { code: 190, classification: { kind: 'token' } } });
  });
});
