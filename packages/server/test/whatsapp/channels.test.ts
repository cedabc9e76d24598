import { startSandboxServer, type SandboxServer } from '@wareach/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, type TestServer } from '../helpers';
import { SBX_PHONE, SBX_WABA } from './wa-env';

const TOKEN = 'EAAG-channel-test-access-token-0123456789';
const SECRET = 'app-secret-channel-test-abcdef';
const VERIFY = 'verify-token-channel-test';

const body = (baseUrl: string) => ({
  name: 'Main number',
  wabaId: SBX_WABA,
  phoneNumbers: [{ phoneNumberId: SBX_PHONE, displayNumber: '+1 555-078-3881', throughput: 80, tier: 'TIER_1K' }],
  accessToken: TOKEN,
  appSecret: SECRET,
  verifyToken: VERIFY,
  baseUrl,
});

const expectNoSecrets = (v: unknown) => {
  const s = JSON.stringify(v);
  for (const secret of [TOKEN, SECRET, VERIFY]) expect(s).not.toContain(secret);
};

describe.each(DIALECTS)('WhatsApp channels on %s', (dialect) => {
  let server: TestServer;
  let sbx: SandboxServer;
  let graph: string;

  beforeAll(async () => {
    sbx = await startSandboxServer({ options: { accessTokens: [TOKEN], appSecret: SECRET } });
    graph = `${sbx.url}/sandbox/graph`;
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    await server?.close();
    await sbx?.close();
  });

  it('creates a channel with defaults, answers 201 with has* flags and no secret, and stores secrets sealed', async () => {
    const r = await server.request('POST', '/api/v1/channels/whatsapp', { ...body(graph), baseUrl: undefined, verifyToken: undefined });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'Main number', wabaId: SBX_WABA, baseUrl: 'https://graph.facebook.com', apiVersion: 'v23.0', status: 'active',
      hasAccessToken: true, hasAppSecret: true, hasVerifyToken: true, sandbox: false,
      phoneNumbers: [{ phoneNumberId: SBX_PHONE, displayNumber: '+1 555-078-3881', throughput: 80, tier: 'TIER_1K' }],
    });
    expect(r.body.webhookPath).toBe(`/webhooks/whatsapp/${r.body.id}`);
    expectNoSecrets(r.body);
    const row = await server.c.db.selectFrom('whatsapp_channels').selectAll().where('id', '=', r.body.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    expect(JSON.stringify(row)).not.toContain(SECRET);
    expect(row.verify_token_enc.startsWith('v1.')).toBe(true);
  });

  it('lists, gets and edits; phone numbers are replaced; secrets rotate without being shown', async () => {
    const created = await server.request('POST', '/api/v1/channels/whatsapp', body(graph));
    const id = created.body.id as string;
    const list = await server.request('GET', '/api/v1/channels/whatsapp');
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(id);
    expectNoSecrets(list.body);
    const patched = await server.request('PATCH', `/api/v1/channels/whatsapp/${id}`, {
      name: 'Renamed',
      accessToken: 'EAAG-rotated-token',
      phoneNumbers: [
        { phoneNumberId: SBX_PHONE, displayNumber: '+1 555-078-3881', throughput: 1000, tier: 'TIER_UNLIMITED' },
        { phoneNumberId: '200000000000001', displayNumber: '+1 555-000-0001' },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', phoneNumbers: [{ throughput: 1000, tier: 'TIER_UNLIMITED' }, { phoneNumberId: '200000000000001', throughput: 80, tier: 'TIER_250' }] });
    expect(JSON.stringify(patched.body)).not.toContain('rotated');
    const ctx = await server.c.channels.getSendContext(id, '200000000000001');
    expect(ctx).toMatchObject({ channelId: id, accessToken: 'EAAG-rotated-token', baseUrl: graph, version: 'v23.0', throughput: 80, tier: 'TIER_250', status: 'active' });
    const got = await server.request('GET', `/api/v1/channels/whatsapp/${id}`);
    expect(got.body.name).toBe('Renamed');
  });

  it('audits every change, naming changed secret fields but never their values', async () => {
    const created = await server.request('POST', '/api/v1/channels/whatsapp', body(graph));
    await server.request('PATCH', `/api/v1/channels/whatsapp/${created.body.id}`, { appSecret: 'a-new-app-secret-value' });
    const rows = await server.c.db.selectFrom('audit_log').selectAll().where('entity_id', '=', created.body.id).orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual(['channel.create', 'channel.update']);
    expect(JSON.parse(rows[1]!.details!)).toMatchObject({ changed: ['appSecret'] });
    expectNoSecrets(rows);
    expect(JSON.stringify(rows)).not.toContain('a-new-app-secret-value');
  });

  it('pauses with a reason and resumes; pausing needs a reason', async () => {
    const id = (await server.request('POST', '/api/v1/channels/whatsapp', body(graph))).body.id;
    const noReason = await server.request('PATCH', `/api/v1/channels/whatsapp/${id}`, { status: 'paused' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toContainEqual({ path: 'pausedReason', message: 'is required when pausing a channel' });
    const paused = await server.request('PATCH', `/api/v1/channels/whatsapp/${id}`, { status: 'paused', pausedReason: 'billing' });
    expect(paused.body).toMatchObject({ status: 'paused', pausedReason: 'billing' });
    expect(await server.c.channels.pauseChannel(id, 'again')).toBe(false);
    const resumed = await server.request('PATCH', `/api/v1/channels/whatsapp/${id}`, { status: 'active' });
    expect(resumed.body).toMatchObject({ status: 'active', pausedReason: null, pausedAt: null });
    expect(await server.c.channels.pauseChannel(id, 'token expired (190)')).toBe(true);
    expect((await server.c.channels.getSendContext(id, SBX_PHONE)).status).toBe('paused');
  });

  it('refuses bad input with field paths, and unknown channels with 404', async () => {
    const r = await server.request('POST', '/api/v1/channels/whatsapp', {
      ...body(graph),
      wabaId: 'abc',
      phoneNumbers: [{ phoneNumberId: '1', displayNumber: '+1 555' }, { phoneNumberId: '1', displayNumber: '+1 556', tier: 'TIER_5' }],
      apiVersion: '23',
      baseUrl: 'ftp://x',
    });
    expect(r.status).toBe(400);
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['wabaId', 'phoneNumbers.1.tier', 'apiVersion', 'baseUrl']));
    expect((await server.request('GET', '/api/v1/channels/whatsapp/nope')).status).toBe(404);
    expect((await server.request('PATCH', '/api/v1/channels/whatsapp/nope', { name: 'x' })).status).toBe(404);
  });

  it('channel.view may read, only channel.manage may change', async () => {
    const id = (await server.request('POST', '/api/v1/channels/whatsapp', body(graph))).body.id;
    expect((await server.request('GET', `/api/v1/channels/whatsapp/${id}`, undefined, { role: 'analyst' })).status).toBe(200);
    expect((await server.request('PATCH', `/api/v1/channels/whatsapp/${id}`, { name: 'x' }, { role: 'analyst' })).status).toBe(403);
    expect((await server.request('POST', '/api/v1/channels/whatsapp', body(graph), { role: 'operator' })).status).toBe(403);
    expect((await server.request('POST', `/api/v1/channels/whatsapp/${id}/check`, undefined, { role: 'analyst' })).status).toBe(403);
  });

  it('checks the connection through the Graph API: ok with the right token, the 190 error with a wrong one', async () => {
    const id = (await server.request('POST', '/api/v1/channels/whatsapp', body(graph))).body.id;
    const ok = await server.request('POST', `/api/v1/channels/whatsapp/${id}/check`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, phoneNumbers: [{ phoneNumberId: SBX_PHONE, ok: true, displayPhoneNumber: '+1 555-078-3881', verifiedName: expect.any(String) }] });
    await server.request('PATCH', `/api/v1/channels/whatsapp/${id}`, { accessToken: 'EAAG-wrong' });
    const bad = await server.request('POST', `/api/v1/channels/whatsapp/${id}/check`);
    expect(bad.body).toMatchObject({ ok: false, phoneNumbers: [{ ok: false, error: { code: 190, kind: 'token' } }] });
    expect(JSON.stringify(bad.body)).not.toContain('EAAG-wrong');
  });
});
