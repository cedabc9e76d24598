import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, type TestServer } from '../helpers';
import type { WebhookDrain } from '../../src/services/webhooks-drain';
import { recordingSink } from './wa-env';
import { change, envelope, inboundItem, sign, statusItem } from './webhook-payloads';

const SECRET = 'webhook-test-app-secret';
const VERIFY = 'webhook-test-verify';
const PHONE = '106540352242922';
const T0 = Date.parse('2026-11-24T23:00:00Z');

describe.each(DIALECTS)('WhatsApp webhooks on %s', (dialect) => {
  let server: TestServer;
  let channelId: string;
  let sink: ReturnType<typeof recordingSink>;
  let drain: WebhookDrain;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    const r = await server.request('POST', '/api/v1/channels/whatsapp', {
      name: 'hooks', wabaId: '102290129340398', phoneNumbers: [{ phoneNumberId: PHONE, displayNumber: '+1 555-078-3881' }],
      accessToken: 'tok', appSecret: SECRET, verifyToken: VERIFY, baseUrl: 'http://127.0.0.1:9/graph',
    });
    channelId = r.body.id;
    sink = recordingSink();
    server.c.webhookSinks.push(sink);
    drain = server.c.whatsapp.createDrain({ retryBaseMs: 0, maxAttempts: 3 });
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    sink.statuses.length = 0;
    sink.inbound.length = 0;
  });

  const post = (raw: string | Buffer, signature?: string, id = channelId) =>
    fetch(`${server.url}/webhooks/whatsapp/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      body: raw,
    });
  const inboxCount = async () => Number((await server.c.db.selectFrom('webhook_inbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  describe('verification handshake', () => {
    it('echoes hub.challenge as text/plain when mode and token match', async () => {
      const r = await fetch(`${server.url}/webhooks/whatsapp/${channelId}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await r.text()).toBe('1158201444');
    });
    it('answers 403 to a wrong token or mode, 404 to an unknown channel', async () => {
      expect((await fetch(`${server.url}/webhooks/whatsapp/${channelId}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);
      expect((await fetch(`${server.url}/webhooks/whatsapp/${channelId}?hub.mode=unsubscribe&hub.verify_token=${VERIFY}&hub.challenge=1`)).status).toBe(403);
      expect((await fetch(`${server.url}/webhooks/whatsapp/${channelId}`)).status).toBe(403);
      expect((await fetch(`${server.url}/webhooks/whatsapp/unknown?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1`)).status).toBe(404);
    });
  });

  describe('signature', () => {
    const body = JSON.stringify(envelope([{ changes: [change(PHONE, { statuses: [statusItem('wamid.sig', 'sent', T0)] })] }]));

    it('refuses unsigned, wrongly signed and other-secret payloads with 401 and stores nothing', async () => {
      const before = await inboxCount();
      expect((await post(body)).status).toBe(401);
      expect((await post(body, 'sha256=' + '0'.repeat(64))).status).toBe(401);
      expect((await post(body, sign(body, 'another-secret'))).status).toBe(401);
      expect((await post(body, 'sha1=' + 'a'.repeat(40))).status).toBe(401);
      expect((await post(body + ' ', sign(body, SECRET))).status).toBe(401);
      expect(await inboxCount()).toBe(before);
      await drain.drainAll();
      expect(sink.statuses).toEqual([]);
    });

    it('accepts the signature over the exact raw bytes, non-ASCII and escaped slashes included', async () => {
      const raw = JSON.stringify(envelope([{ changes: [change(PHONE, { messages: [inboundItem('8613800138000', 'wamid.zh', T0, 'text', { body: '你好 https://x.y/z' })] })] }])).replace(/\//g, '\\/');
      const r = await post(Buffer.from(raw, 'utf8'), sign(Buffer.from(raw, 'utf8'), SECRET));
      expect(r.status).toBe(200);
      await drain.drainAll();
      expect(sink.inbound[0]).toMatchObject({ wamid: 'wamid.zh', text: '你好 https://x.y/z' });
    });

    it("accepts Meta's escaped-unicode signature of a body that reached us unescaped", async () => {
      const raw = JSON.stringify(envelope([{ changes: [change(PHONE, { messages: [inboundItem('8613800138000', 'wamid.esc', T0, 'text', { body: 'café' })] })] }]));
      const escaped = raw.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
      expect((await post(raw, sign(escaped, SECRET))).status).toBe(200);
    });
  });

  describe('processing', () => {
    it('hands EVERY entry, change and status of a batch to the sink, in order', async () => {
      const payload = envelope([
        { changes: [
          change(PHONE, { statuses: [statusItem('wamid.a', 'sent', T0, { callback: 'd-a' }), statusItem('wamid.b', 'sent', T0), statusItem('wamid.c', 'failed', T0, { errors: [{ code: 131049, title: 'Not delivered', message: 'x', error_data: { details: 'marketing limit' } }] })] }),
          change('200000000000002', { statuses: [statusItem('wamid.d', 'delivered', T0)] }),
        ] },
        { changes: [change(PHONE, { statuses: [statusItem('wamid.e', 'read', T0), statusItem('wamid.f', 'played', T0)] })] },
      ]);
      const raw = JSON.stringify(payload);
      expect((await post(raw, sign(raw, SECRET))).status).toBe(200);
      await drain.drainAll();
      expect(sink.statuses.map((s) => `${s.wamid}:${s.status}`)).toEqual(['wamid.a:sent', 'wamid.b:sent', 'wamid.c:failed', 'wamid.d:delivered', 'wamid.e:read', 'wamid.f:read']);
      expect(sink.statuses[0]).toMatchObject({ channelId, phoneNumberId: PHONE, recipientWaId: '8613800138000', at: Math.floor(T0 / 1000) * 1000, bizOpaqueCallbackData: 'd-a', pricingCategory: 'marketing', errors: [] });
      expect(sink.statuses[2]!.errors).toEqual([{ code: 131049, title: 'Not delivered', message: 'x', details: 'marketing limit' }]);
      expect(sink.statuses[3]!.phoneNumberId).toBe('200000000000002');
    });

    it('passes duplicated and out-of-order statuses on as they came (sinks keep state monotonic)', async () => {
      const read = JSON.stringify(envelope([{ changes: [change(PHONE, { statuses: [statusItem('wamid.o', 'read', T0 + 2000)] })] }]));
      const delivered = JSON.stringify(envelope([{ changes: [change(PHONE, { statuses: [statusItem('wamid.o', 'delivered', T0 + 1000)] })] }]));
      for (const raw of [read, delivered, read]) expect((await post(raw, sign(raw, SECRET))).status).toBe(200);
      await drain.drainAll();
      expect(sink.statuses.map((s) => s.status)).toEqual(['read', 'delivered', 'read']);
    });

    it('turns every inbound kind into a whatsapp.inbound event of the user, creating the profile, and opens the service window', async () => {
      const from = '8613912340001';
      const messages = [
        inboundItem(from, 'wamid.in1', T0, 'text', { body: 'hello' }),
        inboundItem(from, 'wamid.in2', T0 + 1000, 'button', { payload: 'STOP_PROMO', text: 'Stop promotions' }, 'wamid.out1'),
        inboundItem(from, 'wamid.in3', T0 + 2000, 'interactive', { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } }, 'wamid.out2'),
        inboundItem(from, 'wamid.in4', T0 + 3000, 'interactive', { type: 'list_reply', list_reply: { id: 'sz-1', title: 'Futian', description: 'Metro' } }, 'wamid.out3'),
        inboundItem(from, 'wamid.in5', T0 + 4000, 'image', { id: 'media-1', mime_type: 'image/jpeg', sha256: 'x', caption: 'look' }),
        inboundItem(from, 'wamid.in6', T0 + 5000, 'document', { id: 'media-2', mime_type: 'application/pdf', sha256: 'x', filename: 'a.pdf' }),
        inboundItem(from, 'wamid.in7', T0 + 6000, 'audio', { id: 'media-3', mime_type: 'audio/ogg', sha256: 'x' }),
        inboundItem(from, 'wamid.in8', T0 + 7000, 'video', { id: 'media-4', mime_type: 'video/mp4', sha256: 'x' }),
      ];
      const raw = JSON.stringify(envelope([{ changes: [change(PHONE, { contacts: [{ profile: { name: 'Mei' }, wa_id: from }], messages })] }]));
      expect((await post(raw, sign(raw, SECRET))).status).toBe(200);
      await drain.drainAll();
      const profileId = await server.c.profiles.findIdByIdentity('whatsapp', `+${from}`);
      expect(profileId).toBeDefined();
      expect(sink.inbound.map((m) => m.type)).toEqual(['text', 'button', 'button_reply', 'list_reply', 'image', 'document', 'audio', 'video']);
      expect(sink.inbound.every((m) => m.profileId === profileId && m.channelId === channelId && m.fromWaId === from)).toBe(true);
      expect(sink.inbound[1]).toMatchObject({ buttonId: 'STOP_PROMO', buttonTitle: 'Stop promotions', contextWamid: 'wamid.out1' });
      expect(sink.inbound[2]).toMatchObject({ buttonId: 'yes', buttonTitle: 'Yes', contextWamid: 'wamid.out2' });
      expect(sink.inbound[3]).toMatchObject({ listRowId: 'sz-1', listRowTitle: 'Futian', contextWamid: 'wamid.out3' });
      expect(sink.inbound[4]).toMatchObject({ text: 'look' });
      const events = await server.c.customerData.timeline(profileId!, { limit: 20, name: 'whatsapp.inbound' });
      const items = (Array.isArray(events) ? events : (events as { items: unknown[] }).items) as { properties: Record<string, unknown> }[];
      expect(items).toHaveLength(8);
      const props = items.map((e) => e.properties).find((p) => p.wamid === 'wamid.in3');
      expect(props).toEqual({ type: 'button_reply', wamid: 'wamid.in3', phoneNumberId: PHONE, channelId, text: 'Yes', buttonId: 'yes', buttonTitle: 'Yes', contextWamid: 'wamid.out2' });
      expect(await server.c.serviceWindows.lastInboundAt(`+${from}`)).toBe(Math.floor((T0 + 7000) / 1000) * 1000);
      // A re-posted payload reaches the sink again but records no second event, and never moves the window back.
      const older = JSON.stringify(envelope([{ changes: [change(PHONE, { messages: [messages[0]!] })] }]));
      expect((await post(older, sign(older, SECRET))).status).toBe(200);
      await drain.drainAll();
      const again = await server.c.customerData.timeline(profileId!, { limit: 20, name: 'whatsapp.inbound' });
      expect(((Array.isArray(again) ? again : (again as { items: unknown[] }).items) as unknown[]).length).toBe(8);
      expect(await server.c.serviceWindows.lastInboundAt(`+${from}`)).toBe(Math.floor((T0 + 7000) / 1000) * 1000);
    });

    it('retries a payload whose processing fails, then marks it failed with the error; other payloads go on', async () => {
      let failures = 1;
      const flaky = { async onStatuses(s: { wamid: string }[]) { if (s.some((x) => x.wamid === 'wamid.flaky') && failures-- > 0) throw new Error('sink down'); }, async onInbound() {} };
      const broken = { async onStatuses(s: { wamid: string }[]) { if (s.some((x) => x.wamid === 'wamid.broken')) throw new Error('always broken'); }, async onInbound() {} };
      server.c.webhookSinks.push(flaky, broken);
      try {
        for (const w of ['wamid.flaky', 'wamid.broken', 'wamid.fine']) {
          const raw = JSON.stringify(envelope([{ changes: [change(PHONE, { statuses: [statusItem(w, 'sent', T0)] })] }]));
          expect((await post(raw, sign(raw, SECRET))).status).toBe(200);
        }
        await drain.drainAll();
        const rows = await server.c.db.selectFrom('webhook_inbox').select(['state', 'attempts', 'last_error', 'body']).orderBy('id', 'desc').limit(3).execute();
        const byWamid = Object.fromEntries(rows.map((r) => [JSON.parse(r.body).entry[0].changes[0].value.statuses[0].id as string, r]));
        expect(byWamid['wamid.fine']).toMatchObject({ state: 'done' });
        expect(byWamid['wamid.flaky']).toMatchObject({ state: 'done' });
        expect(byWamid['wamid.broken']).toMatchObject({ state: 'failed', attempts: 3, last_error: 'always broken' });
        // At-least-once: the batch failed once as a whole, so sinks ahead of the failing one saw it twice.
        expect(sink.statuses.filter((s) => s.wamid === 'wamid.fine').length).toBeGreaterThanOrEqual(1);
      } finally {
        server.c.webhookSinks.splice(server.c.webhookSinks.indexOf(flaky), 2);
      }
    });

    it('applies template status updates', async () => {
      await server.c.db.insertInto('whatsapp_templates').values({
        id: 'tpl-1', channel_id: channelId, meta_id: '9001', name: 'promo', language: 'en', status: 'PENDING', category: 'MARKETING',
        parameter_format: null, components: '[]', rejected_reason: null, quality_score: null, created_at: T0, updated_at: T0, synced_at: null,
      }).execute();
      const raw = JSON.stringify(envelope([{ changes: [{ field: 'message_template_status_update', value: { event: 'REJECTED', message_template_id: 9001, message_template_name: 'promo', message_template_language: 'en', reason: 'PROMOTIONAL' } }] }]));
      expect((await post(raw, sign(raw, SECRET))).status).toBe(200);
      await drain.drainAll();
      const row = await server.c.db.selectFrom('whatsapp_templates').selectAll().where('id', '=', 'tpl-1').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'REJECTED', rejected_reason: 'PROMOTIONAL' });
    });

    it('two drains sharing the inbox process each payload exactly once', async () => {
      const n = 120;
      for (let i = 0; i < n; i++) {
        const raw = JSON.stringify(envelope([{ changes: [change(PHONE, { statuses: [statusItem(`wamid.par${i}`, 'sent', T0)] })] }]));
        await post(raw, sign(raw, SECRET));
      }
      const other = server.c.whatsapp.createDrain({ batchSize: 7, claimant: 'other' });
      const mine = server.c.whatsapp.createDrain({ batchSize: 5, claimant: 'mine' });
      await Promise.all([other.drainAll(), mine.drainAll(), other.drainAll()]);
      const seen = sink.statuses.filter((s) => s.wamid.startsWith('wamid.par')).map((s) => s.wamid);
      expect(seen).toHaveLength(n);
      expect(new Set(seen).size).toBe(n);
    });
  });
});
