import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/services/ports';
import { SBX_TOKEN, SBX_WABA, startWaEnv, type WaEnv } from './wa-env';

describe('templates', () => {
  let env: WaEnv;
  beforeAll(async () => {
    env = await startWaEnv({ sandbox: { templates: { reviewDelayMs: 0, preload: true } } });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('syncs every page and lists templates with status, category, language and variable slots', async () => {
    const total = env.sandbox.templates(SBX_WABA).length;
    const r = await env.server.c.templates.sync(systemActor, env.channelId, { pageSize: 2 });
    expect(r).toMatchObject({ templates: total, pages: Math.ceil(total / 2), deleted: 0 });
    const list = await env.server.request('GET', `/api/v1/templates?channelId=${env.channelId}&limit=100`);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(total);
    const promo = list.body.items.find((t: { name: string; language: string }) => t.name === 'spring_promo' && t.language === 'en');
    expect(promo).toMatchObject({ status: 'APPROVED', category: 'MARKETING', parameterFormat: 'POSITIONAL', unsupportedReason: null });
    expect(promo.slots.map((s: { key: string }) => s.key)).toEqual(['header.media', 'body.1', 'body.2', 'body.3', 'button.2']);
    expect(promo.definition).toMatchObject({ name: 'spring_promo', language: 'en' });
    const named = list.body.items.find((t: { name: string; language: string }) => t.name === 'order_update' && t.language === 'en');
    expect(named.slots.map((s: { key: string; parameterName?: string }) => s.parameterName)).toEqual(['customer_name', 'order_id', 'delivery_date']);
    const zh = await env.server.request('GET', `/api/v1/templates?channelId=${env.channelId}&q=zh_cn&status=approved`);
    expect(zh.body.items.length).toBeGreaterThan(0);
    expect(zh.body.items.every((t: { language: string }) => t.language === 'zh_CN')).toBe(true);
    const viewer = await env.server.request('GET', '/api/v1/templates', undefined, { role: 'analyst' });
    expect(viewer.status).toBe(200);
  });

  it('creates a template at Meta as PENDING; a later sync brings APPROVED; only approved ones are sendable', async () => {
    const body = {
      name: 'delivery_notice', language: 'en', category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Your parcel {{1}} arrives {{2}}.', example: { body_text: [['A-1', 'today']] } }],
    };
    const created = await env.server.request('POST', `/api/v1/channels/whatsapp/${env.channelId}/templates`, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'delivery_notice', status: 'PENDING', metaId: expect.any(String), slots: [{ key: 'body.1' }, { key: 'body.2' }] });
    expect(await env.server.c.templates.getApprovedTemplate(env.channelId, 'delivery_notice', 'en')).toBeUndefined();
    const dup = await env.server.request('POST', `/api/v1/channels/whatsapp/${env.channelId}/templates`, body);
    expect(dup.status).toBe(409);
    await env.sandbox.flushWebhooks();
    const sync = await env.server.request('POST', `/api/v1/channels/whatsapp/${env.channelId}/templates/sync`);
    expect(sync.status).toBe(200);
    const approved = await env.server.c.templates.getApprovedTemplate(env.channelId, 'delivery_notice', 'en');
    expect(approved).toMatchObject({ name: 'delivery_notice', language: 'en', category: 'UTILITY', slots: [{ key: 'body.1' }, { key: 'body.2' }] });
    expect(approved?.definition.components[0]).toMatchObject({ type: 'BODY' });
  });

  it('refuses malformed templates with field paths, and what WhatsApp refuses with its code', async () => {
    const bad = await env.server.request('POST', `/api/v1/channels/whatsapp/${env.channelId}/templates`, { name: 'Bad Name', language: 'en', category: 'PROMO', components: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['name', 'category', 'components']));
    const carousel = await env.server.request('POST', `/api/v1/channels/whatsapp/${env.channelId}/templates`, { name: 'c1', language: 'en', category: 'MARKETING', components: [{ type: 'CAROUSEL', cards: [] }] });
    expect(carousel.status).toBe(400);
    expect(carousel.body.error.details[0].path).toBe('components.0.type');
  });

  it('marks templates deleted at Meta as DELETED on the next sync', async () => {
    await env.server.c.templates.sync(systemActor, env.channelId);
    const del = await fetch(`${env.graphBase}/v23.0/${SBX_WABA}/message_templates?name=welcome_offer`, { method: 'DELETE', headers: { authorization: `Bearer ${SBX_TOKEN}` } });
    expect(del.status).toBe(200);
    const r = await env.server.c.templates.sync(systemActor, env.channelId);
    expect(r.deleted).toBe(2);
    const list = await env.server.request('GET', `/api/v1/templates?channelId=${env.channelId}&status=DELETED`);
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(['welcome_offer', 'welcome_offer']);
    expect(await env.server.c.templates.getApprovedTemplate(env.channelId, 'welcome_offer', 'en')).toBeUndefined();
  });

  it('a refused token fails the sync with graph_token and pauses the channel', async () => {
    await env.server.request('PATCH', `/api/v1/channels/whatsapp/${env.channelId}`, { accessToken: 'revoked' });
    const r = await env.server.request('POST', `/api/v1/channels/whatsapp/${env.channelId}/templates/sync`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('graph_token');
    const ch = await env.server.request('GET', `/api/v1/channels/whatsapp/${env.channelId}`);
    expect(ch.body).toMatchObject({ status: 'paused', pausedReason: expect.stringContaining('190') });
  });
});
