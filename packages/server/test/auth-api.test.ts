import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers';

async function login(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = (await res.json()) as { csrfToken: string; permissions: string[]; error?: { code: string } };
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
  return { status: res.status, body, cookie, setCookie: res.headers.get('set-cookie') ?? '' };
}

describe('members, sessions and API keys', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => s?.close());

  it('the admin logs in with an httpOnly session cookie and gets a CSRF token', async () => {
    const r = await login(s.url, 'admin@wareach.local', 'admin-password-123');
    expect(r.status).toBe(200);
    expect(r.setCookie).toMatch(/HttpOnly/i);
    expect(r.setCookie).toMatch(/SameSite=Lax/i);
    expect(r.body.permissions).toContain('member.manage');
    const me = await fetch(`${s.url}/api/v1/auth/me`, { headers: { cookie: r.cookie } });
    expect(me.status).toBe(200);
  });

  it('a wrong password is 401 and says nothing about which part was wrong', async () => {
    const a = await login(s.url, 'admin@wareach.local', 'wrong-password');
    const b = await login(s.url, 'nobody@example.com', 'wrong-password');
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body.error?.code).toBe(b.body.error?.code);
  });

  it('a session-cookie write without the CSRF token is refused; with it, it passes', async () => {
    const r = await login(s.url, 'admin@wareach.local', 'admin-password-123');
    const body = JSON.stringify({ name: 'Spring sale' });
    const without = await fetch(`${s.url}/api/v1/groups`, { method: 'POST', headers: { cookie: r.cookie, 'content-type': 'application/json' }, body });
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('csrf');
    const withToken = await fetch(`${s.url}/api/v1/groups`, { method: 'POST', headers: { cookie: r.cookie, 'content-type': 'application/json', 'x-csrf-token': r.body.csrfToken }, body });
    expect(withToken.status).toBe(201);
  });

  it('creates an operator who then lacks member management; a disabled member cannot log in', async () => {
    const created = await s.request('POST', '/api/v1/members', { email: 'op@example.com', name: 'Op', password: 'operator-pass-1', roleId: 'role_operator' });
    expect(created.status).toBe(201);
    const r = await login(s.url, 'op@example.com', 'operator-pass-1');
    expect(r.status).toBe(200);
    const members = await fetch(`${s.url}/api/v1/members`, { headers: { cookie: r.cookie } });
    expect(members.status).toBe(403);
    await s.request('PATCH', `/api/v1/members/${created.body.id}`, { disabled: true });
    expect((await fetch(`${s.url}/api/v1/auth/me`, { headers: { cookie: r.cookie } })).status).toBe(401);
    expect((await login(s.url, 'op@example.com', 'operator-pass-1')).status).toBe(401);
  });

  it('a custom role grants exactly its permissions; unknown permissions are refused', async () => {
    const bad = await s.request('POST', '/api/v1/roles', { name: 'x', permissions: ['task.view', 'fly'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('permissions.1');
    const role = await s.request('POST', '/api/v1/roles', { name: 'viewer', permissions: ['customer.view'] });
    expect(role.status).toBe(201);
    const key = await s.request('POST', '/api/v1/api-keys', { name: 'viewer key', roleId: role.body.id });
    expect(key.body.key).toMatch(/^wr_/);
    const ok = await fetch(`${s.url}/api/v1/catalogue`, { headers: { authorization: `Bearer ${key.body.key}` } });
    expect(ok.status).toBe(200);
    const no = await fetch(`${s.url}/api/v1/settings`, { headers: { authorization: `Bearer ${key.body.key}` } });
    expect(no.status).toBe(403);
    const list = await s.request('GET', '/api/v1/api-keys');
    expect(JSON.stringify(list.body)).not.toContain(key.body.key);
    await s.request('DELETE', `/api/v1/api-keys/${key.body.id}`);
    expect((await fetch(`${s.url}/api/v1/catalogue`, { headers: { authorization: `Bearer ${key.body.key}` } })).status).toBe(401);
  });

  it('a group that holds no tasks can be deleted; names are unique', async () => {
    const g = await s.request('POST', '/api/v1/groups', { name: 'Retention' });
    expect((await s.request('POST', '/api/v1/groups', { name: 'Retention' })).status).toBe(409);
    expect((await s.request('DELETE', `/api/v1/groups/${g.body.id}`)).status).toBe(200);
  });

  it('settings validate field by field', async () => {
    const bad = await s.request('PATCH', '/api/v1/settings', { timezone: 'Nowhere/Land', segmentRefreshLeadMinutes: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['segmentRefreshLeadMinutes', 'timezone']);
    const ok = await s.request('PATCH', '/api/v1/settings', { timezone: 'Europe/London' });
    expect(ok.body.timezone).toBe('Europe/London');
  });

  it('records every change in the audit log', async () => {
    const log = await s.request('GET', '/api/v1/audit-log?limit=100');
    const actions = new Set(log.body.map((e: { action: string }) => e.action));
    for (const a of ['member.create', 'member.update', 'role.create', 'api_key.create', 'api_key.revoke', 'group.create', 'group.delete', 'settings.update', 'member.login']) expect(actions).toContain(a);
  });

  it('the login is rate limited per address', async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) last = (await login(s.url, 'admin@wareach.local', 'nope-nope-nope')).status;
    expect(last).toBe(429);
  });
});
