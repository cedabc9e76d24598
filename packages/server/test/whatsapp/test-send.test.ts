import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor } from '../../src/services/ports';
import type { WebhookDrain } from '../../src/services/webhooks-drain';
import { SBX_PHONE, startWaEnv, type WaEnv } from './wa-env';

describe('test send', () => {
  let env: WaEnv;
  let drain: WebhookDrain;
  beforeAll(async () => {
    env = await startWaEnv({ sandbox: { faults: { statusDelays: { sentMs: 0, deliveredMs: 5, readMs: 10 }, readRatio: 1 }, webhookDelivery: { flushIntervalMs: 1 } } });
    drain = env.server.c.whatsapp.createDrain({ pollMs: 20 });
    drain.start();
  });
  afterAll(async () => {
    await drain?.stop();
    await env?.close();
  });

  const send = (body: Record<string, unknown>, role: 'admin' | 'analyst' = 'admin') =>
    env.server.request('POST', '/api/v1/messages/test', { channelId: env.channelId, phoneNumberId: SBX_PHONE, ...body }, { role });

  it('sends for real, personalised with the given variables, and status webhooks move each record forward', async () => {
    env.sandbox.openWindow(SBX_PHONE, '8613800000101');
    env.sandbox.openWindow(SBX_PHONE, '8613800000102');
    const r = await send({
      content: { type: 'text', body: 'Hi {{attr.first_name}}, code {{id}}' },
      recipients: ['+8613800000101', '0086 138 0000 0102', '+8613800000101'],
      variables: { attributes: { first_name: 'Mei' }, id: 'u-42' },
    });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(2);
    expect(r.body.items.map((i: { state: string }) => i.state)).toEqual(['accepted', 'accepted']);
    expect(r.body.items.map((i: { recipient: string }) => i.recipient)).toEqual(['+8613800000101', '+8613800000102']);
    const entry = env.sandbox.logEntries({ waId: '8613800000101' }, 5).find((e) => e.wamid === r.body.items[0].wamid)!;
    expect(entry.payload.text).toEqual({ body: 'Hi Mei, code u-42' });
    expect(entry.bizOpaqueCallbackData).toBe(`test-send:${r.body.items[0].id}`);
    await vi.waitFor(async () => {
      await env.sandbox.flushWebhooks();
      const list = await env.server.request('GET', '/api/v1/messages/test?limit=10');
      const mine = list.body.items.filter((i: { id: string }) => r.body.items.some((x: { id: string }) => x.id === i.id));
      expect(mine.map((i: { state: string }) => i.state)).toEqual(['read', 'read']);
      expect(mine[0].sentAt && mine[0].deliveredAt && mine[0].readAt).toBeTruthy();
    }, { timeout: 10_000, interval: 50 });
    expect(env.sink.statuses.some((s) => s.bizOpaqueCallbackData === `test-send:${r.body.items[0].id}`)).toBe(true);
  });

  it('records failures per recipient: a missing value, and a failed status webhook (window closed)', async () => {
    const r = await send({ content: { type: 'text', body: 'Hi {{attr.nickname}}' }, recipients: ['+8613800000103'] });
    expect(r.body.items[0]).toMatchObject({ state: 'failed', wamid: null, error: { code: 'missing_value' } });
    const closed = await send({ content: { type: 'text', body: 'No window' }, recipients: ['+8613800000104'] });
    expect(closed.body.items[0].state).toBe('accepted');
    await vi.waitFor(async () => {
      await env.sandbox.flushWebhooks();
      const list = await env.server.request('GET', '/api/v1/messages/test?limit=50');
      const it = list.body.items.find((i: { id: string }) => i.id === closed.body.items[0].id);
      expect(it).toMatchObject({ state: 'failed', error: { code: '131047' } });
    }, { timeout: 10_000, interval: 50 });
  });

  it('sends an approved template; refuses a template that is not approved, bad input, and callers without channel.manage', async () => {
    await env.server.c.templates.sync(systemActor, env.channelId);
    const tpl = (await env.server.c.templates.getApprovedTemplate(env.channelId, 'order_update', 'en'))!;
    const content = {
      type: 'template',
      template: tpl.definition,
      bindings: { 'body.customer_name': { kind: 'constant', value: 'Mei' }, 'body.order_id': { kind: 'constant', value: 'A-9' }, 'body.delivery_date': { kind: 'constant', value: 'June 3' } },
    };
    const ok = await send({ content, recipients: ['+8613800000105'] });
    expect(ok.body.items[0].state).toBe('accepted');
    const unknown = await send({ content: { ...content, template: { ...tpl.definition, name: 'not_synced' } }, recipients: ['+8613800000105'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('content.template');
    const bad = await send({ content: { type: 'text', body: '' }, recipients: ['12345', ...Array.from({ length: 20 }, (_, i) => `+86138000002${String(i).padStart(2, '0')}`)] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('recipients');
    const badPhone = await send({ content: { type: 'text', body: '' }, recipients: ['12345'] });
    expect(badPhone.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['content.body', 'recipients.0']));
    expect((await send({ content: { type: 'text', body: 'x' }, recipients: ['+8613800000105'] }, 'analyst')).status).toBe(403);
  });

  it('a refused token fails the send with 190 and pauses the channel; a paused channel refuses test sends', async () => {
    await env.server.request('PATCH', `/api/v1/channels/whatsapp/${env.channelId}`, { accessToken: 'revoked' });
    const r = await send({ content: { type: 'text', body: 'x' }, recipients: ['+8613800000106'] });
    expect(r.body.items[0]).toMatchObject({ state: 'failed', error: { code: '190' } });
    const again = await send({ content: { type: 'text', body: 'x' }, recipients: ['+8613800000106'] });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/paused/);
  });
});
