import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers';

describe('customer data API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => s?.close());

  it('upserts a batch and reads a profile by one-ID and by identity', async () => {
    const r = await s.request('POST', '/api/v1/users/batch', { users: [{ id: 'u1', identities: { whatsapp: '0086 138 0013 8000' }, timezone: 'Asia/Shanghai', attributes: { city: 'Shanghai' }, tags: { level: 2 } }] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ids: ['u1'], created: 1, updated: 0 });
    expect((await s.request('GET', '/api/v1/users/u1')).body).toMatchObject({ id: 'u1', identities: [{ type: 'whatsapp', value: '+8613800138000' }], tags: { level: 2 } });
    expect((await s.request('GET', `/api/v1/users/by-identity/whatsapp/${encodeURIComponent('+8613800138000')}`)).body.id).toBe('u1');
  });

  it('refuses a batch with an invalid phone, an unknown timezone and an unknown field, and writes none of it', async () => {
    const r = await s.request('POST', '/api/v1/users/batch', { users: [
      { id: 'ok-1', attributes: { a: 1 } },
      { id: 'bad-1', identities: { whatsapp: '12345' } },
      { id: 'bad-2', timezone: 'Mars/Olympus' },
      { id: 'bad-3', colour: 'red' },
    ] });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation');
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(['users.1.identities.whatsapp', 'users.2.timezone', 'users.3.colour']);
    expect(r.body.error.details[0].message).toMatch(/E\.164|country code/);
    expect((await s.request('GET', '/api/v1/users/ok-1')).status).toBe(404);
  });

  it('refuses more than 1,000 items and an empty batch', async () => {
    const big = await s.request('POST', '/api/v1/users/batch', { users: Array.from({ length: 1001 }, (_, i) => ({ id: `x${i}` })) });
    expect(big.status).toBe(400);
    expect(big.body.error.details[0]).toEqual({ path: 'users', message: 'must hold at most 1000 items (got 1001)' });
    expect((await s.request('POST', '/api/v1/users/batch', { users: [] })).status).toBe(400);
  });

  it('answers malformed JSON and wrong types with 400 and details', async () => {
    const bad = await s.request('POST', '/api/v1/events/batch', undefined, { raw: '{"events": [', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('malformed_json');
    const wrong = await s.request('POST', '/api/v1/events/batch', { events: 'nope' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0].path).toBe('events');
    const unknown = await s.request('POST', '/api/v1/events/batch', { events: [], extra: 1 });
    expect(unknown.body.error.details).toEqual([{ path: 'extra', message: 'is not a known field' }]);
  });

  it('ingests events idempotently: a re-sent batch does not count twice', async () => {
    const batch = { events: [
      { userId: 'u1', name: 'purchase', time: '2026-11-24T10:00:00Z', properties: { amount: 3 }, messageId: 'e-1' },
      { identity: { type: 'whatsapp', value: '+8613800138000' }, name: 'app_open', messageId: 'e-2' },
    ] };
    expect((await s.request('POST', '/api/v1/events/batch', batch)).body).toEqual({ accepted: 2, duplicates: 0, createdProfiles: 0 });
    expect((await s.request('POST', '/api/v1/events/batch', batch)).body).toEqual({ accepted: 0, duplicates: 2, createdProfiles: 0 });
    const timeline = await s.request('GET', '/api/v1/users/u1/events');
    expect(timeline.body).toHaveLength(2);
  });

  it('refuses duplicated message IDs inside one batch, writing nothing', async () => {
    const r = await s.request('POST', '/api/v1/events/batch', { events: [{ userId: 'u9', name: 'a', messageId: 'dup' }, { userId: 'u9', name: 'b', messageId: 'dup' }] });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ path: 'events.1.messageId', message: 'repeats the messageId of item 0' }]);
    expect((await s.request('GET', '/api/v1/users/u9')).status).toBe(404);
  });

  it('accepts Segment identify, track and batch shapes', async () => {
    const id = await s.request('POST', '/v1/identify', { userId: 'seg-1', traits: { phone: '+447911123456', email: 'Seg@Example.com', plan: 'pro', timezone: 'Europe/London', address: { city: 'London' } }, context: { ip: '1.2.3.4' }, messageId: 'id-1' });
    expect(id.status).toBe(200);
    expect(id.body.success).toBe(true);
    const p = (await s.request('GET', '/api/v1/users/seg-1')).body;
    expect(p).toMatchObject({ timezone: 'Europe/London', attributes: { plan: 'pro', 'address.city': 'London' } });
    expect(p.identities).toEqual(expect.arrayContaining([{ type: 'whatsapp', value: '+447911123456' }, { type: 'email', value: 'seg@example.com' }]));
    const tr = await s.request('POST', '/v1/track', { userId: 'seg-1', event: 'Order Completed', properties: { revenue: 10 }, timestamp: '2026-11-24T09:00:00Z', messageId: 'tr-1' });
    expect(tr.body).toMatchObject({ success: true, events: 1 });
    const batch = await s.request('POST', '/v1/batch', { batch: [
      { type: 'track', anonymousId: 'anon-1', event: 'Viewed', properties: {}, messageId: 'b-1' },
      { type: 'page', userId: 'seg-1', name: 'Home', messageId: 'b-2' },
      { type: 'alias', userId: 'seg-1', previousId: 'anon-1' },
    ] });
    expect(batch.body).toMatchObject({ success: true, events: 2, ignored: 1 });
    const basic = await fetch(`${s.url}/v1/track`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${await s.apiKey('admin')}:`).toString('base64')}` }, body: JSON.stringify({ userId: 'seg-1', event: 'Basic' }) });
    expect(basic.status).toBe(200);
    const bad = await s.request('POST', '/v1/batch', { batch: [{ type: 'track', userId: 'x', event: 'ok' }, { type: 'track', event: 'no user' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('batch.1.userId');
  });

  it('imports NDJSON and reports bad lines by number', async () => {
    const lines = [
      JSON.stringify({ userId: 'imp-1', name: 'purchase', properties: { amount: 1 }, messageId: 'i-1' }),
      '{not json',
      JSON.stringify({ userId: 'imp-1', name: 'purchase', time: 'yesterday' }),
      '',
      JSON.stringify({ userId: 'imp-2', name: 'app_open', messageId: 'i-1' }),
    ].join('\n');
    const r = await s.request('POST', '/api/v1/import/events', undefined, { raw: lines, headers: { 'content-type': 'application/x-ndjson' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lines: 5, accepted: 1, duplicates: 1, refused: 2 });
    expect(r.body.errors.map((e: { line: number }) => e.line)).toEqual([2, 3]);
    const pr = await s.request('POST', '/api/v1/import/profiles', undefined, {
      raw: [JSON.stringify({ id: 'imp-3', identities: { whatsapp: '+8613800138099' } }), JSON.stringify({ id: 'imp-4', identities: { whatsapp: '+8613800138099' } }), JSON.stringify({ id: 'imp-5', timezone: 'bad' })].join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(pr.body).toMatchObject({ lines: 3, accepted: 1, refused: 2 });
    expect(pr.body.errors.map((e: { line: number }) => e.line).sort()).toEqual([2, 3]);
  });

  it('erases a profile with its events', async () => {
    expect((await s.request('DELETE', '/api/v1/users/u1')).body).toMatchObject({ ok: true, events: 2 });
    expect((await s.request('GET', '/api/v1/users/u1')).status).toBe(404);
    expect((await s.request('GET', '/api/v1/users/u1')).body.error.code).toBe('not_found');
  });

  it('serves the OpenAPI document listing the paths other tools rely on', async () => {
    const doc = (await fetch(`${s.url}/openapi.json`).then((r) => r.json())) as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/users/batch', '/api/v1/users/{id}', '/api/v1/events/batch', '/v1/identify', '/v1/track', '/v1/batch', '/healthz']) expect(Object.keys(doc.paths)).toContain(p);
  });

  it('carries a request id and exposes metrics', async () => {
    const r = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
    const m = await fetch(`${s.url}/metrics`).then((x) => x.text());
    expect(m).toContain('wareach_http_request_duration_seconds');
  });
});
