import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES, type BuiltinRole } from '@wareach/core';
import { startTestServer, type TestServer } from './helpers';

const ROLES = Object.keys(BUILTIN_ROLES) as BuiltinRole[];

// Every route × every built-in role: allowed, or 403 with the error shape. The route table is the
// server's own, so a new route is covered the moment it is registered.
describe('permission matrix', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => s?.close());

  it('every route either is public or names a permission', () => {
    const unguarded = s.app.routeTable.filter((r) => !r.public && !r.permission);
    expect(unguarded).toEqual([]);
  });

  it('each built-in role is refused exactly the routes whose permission it lacks', async () => {
    const guarded = s.app.routeTable.filter((r) => r.permission && !r.url.includes('*'));
    expect(guarded.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const role of ROLES) {
      const perms = new Set<string>(BUILTIN_ROLES[role]);
      for (const r of guarded) {
        const url = r.url.replace(/:([A-Za-z_]+)/g, 'nonexistent');
        const res = await s.request(r.method, url, r.method === 'GET' || r.method === 'DELETE' ? undefined : {}, { role });
        const allowed = perms.has(r.permission!);
        if (allowed && (res.status === 403 || res.status === 401)) wrong.push(`${role} ${r.method} ${r.url}: ${res.status} but has ${r.permission}`);
        if (!allowed) {
          if (res.status !== 403) wrong.push(`${role} ${r.method} ${r.url}: ${res.status}, expected 403 (lacks ${r.permission})`);
          else if (res.body?.error?.code !== 'forbidden' || !Array.isArray(res.body.error.details)) wrong.push(`${role} ${r.method} ${r.url}: 403 without the error shape`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a request without credentials is 401 with the error shape', async () => {
    const res = await fetch(`${s.url}/api/v1/users/x`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it('a revoked or unknown API key is 401', async () => {
    const res = await fetch(`${s.url}/api/v1/users/x`, { headers: { authorization: 'Bearer wr_nope' } });
    expect(res.status).toBe(401);
  });
});
