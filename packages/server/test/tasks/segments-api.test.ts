import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudienceRule } from '@wareach/core';
import { ManualClock } from '../../src/services/ports';
import { DIALECTS, startTestServer, type TestServer } from '../helpers';

const NOW = Date.parse('2026-11-25T00:00:00Z');
const inShanghai: AudienceRule = { kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value: 'Shanghai' }] };
const boughtTwice: AudienceRule = {
  kind: 'and',
  children: [
    { kind: 'attribute', name: 'city', valueType: 'string', op: 'in', value: ['Shanghai', 'Shenzhen'] },
    { kind: 'tag', name: 'level', valueType: 'number', op: 'gte', value: 2 },
    { kind: 'event', name: 'purchase', did: true, count: { op: 'gte', value: 2 }, filters: [], timeRange: { kind: 'relative', last: 30, unit: 'days' } },
  ],
};

async function members(s: TestServer, id: string, role: 'admin' | 'analyst' = 'admin'): Promise<string[]> {
  const r = await s.request('GET', `/api/v1/segments/${id}/members?limit=500`, undefined, { role });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.items as { profileId: string }[]).map((m) => m.profileId).sort();
}

describe.each(DIALECTS)('segments API on %s', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(NOW);
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
    const users = await s.request('POST', '/api/v1/users/batch', {
      users: [
        { id: 'u1', identities: { whatsapp: '+8613800000001' }, attributes: { city: 'Shanghai' }, tags: { level: 3 } },
        { id: 'u2', identities: { whatsapp: '+8613800000002' }, attributes: { city: 'Shenzhen' }, tags: { level: 1 } },
        { id: 'u3', attributes: { city: 'Shanghai' }, tags: { level: 5 } },
        { id: 'u4', identities: { whatsapp: '+8613800000004' }, attributes: { city: 'Beijing' }, tags: { level: 4 } },
      ],
    });
    expect(users.status).toBe(200);
    const purchase = (userId: string, daysAgo: number) => ({ userId, name: 'purchase', time: iso(NOW - daysAgo * day), properties: { amount: 10 } });
    const ev = await s.request('POST', '/api/v1/events/batch', { events: [purchase('u1', 1), purchase('u1', 3), purchase('u2', 2), purchase('u2', 4), purchase('u3', 5), purchase('u3', 40), purchase('u4', 1), purchase('u4', 2)] });
    expect(ev.status).toBe(200);
  });
  afterAll(async () => s?.close());

  it('computes a rule segment on creation; the estimate counts one-IDs and those with a WhatsApp number', async () => {
    const r = await s.request('POST', '/api/v1/segments', { name: `shanghai-${dialect}`, kind: 'rule', rule: inShanghai });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ kind: 'rule', refresh: { mode: 'on_demand', time: null }, memberCount: 2, sendCount: 1, visibleInList: true, authorisedRoleIds: null });
    expect(await members(s, r.body.id)).toEqual(['u1', 'u3']);
    expect((await s.request('POST', '/api/v1/segments/estimate', { rule: inShanghai })).body).toEqual({ oneIds: 2, sendIds: 1 });
    expect((await s.request('POST', '/api/v1/segments/estimate', { segmentId: r.body.id })).body).toEqual({ oneIds: 2, sendIds: 1 });
    expect((await s.request('POST', '/api/v1/segments/estimate', { rule: boughtTwice })).body).toEqual({ oneIds: 1, sendIds: 1 });
  });

  it('keeps segment names unique ignoring case and surrounding blanks', async () => {
    const a = await s.request('POST', '/api/v1/segments', { name: `VIP buyers ${dialect}`, kind: 'rule', rule: inShanghai });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const clash = await s.request('POST', '/api/v1/segments', { name: `  vip BUYERS ${dialect} `, kind: 'rule', rule: inShanghai });
    expect(clash.status).toBe(409);
    expect(clash.body.error.details).toEqual([{ path: 'name', message: 'is already used by another segment' }]);
    const b = await s.request('POST', '/api/v1/segments', { name: `Lapsed ${dialect}`, kind: 'rule', rule: inShanghai });
    expect((await s.request('PATCH', `/api/v1/segments/${b.body.id}`, { name: `Vip Buyers ${dialect}` })).status).toBe(409);
    // Renaming a segment to its own name in another case is allowed.
    const self = await s.request('PATCH', `/api/v1/segments/${a.body.id}`, { name: `VIP BUYERS ${dialect}` });
    expect(self.status, JSON.stringify(self.body)).toBe(200);
  });

  it('answers estimate mistakes with the field and the reason', async () => {
    const neither = await s.request('POST', '/api/v1/segments/estimate', {});
    expect(neither.status).toBe(400);
    expect(neither.body.error.details).toEqual([{ path: 'rule', message: 'give either a rule or a segmentId' }]);
    const deep: AudienceRule = { kind: 'and', children: [{ kind: 'and', children: [{ kind: 'and', children: [{ kind: 'and', children: [{ kind: 'and', children: [{ kind: 'and', children: [inShanghai.children[0]!] }] }] }] }] }] };
    const tooDeep = await s.request('POST', '/api/v1/segments/estimate', { rule: deep });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error.details[0].message).toBe('groups may nest at most 5 levels deep');
    expect(tooDeep.body.error.details[0].path).toMatch(/^rule\.children\.0\./);
    const wide = { kind: 'or', children: Array.from({ length: 51 }, () => inShanghai.children[0]) };
    expect((await s.request('POST', '/api/v1/segments/estimate', { rule: wide })).body.error.details.map((d: { message: string }) => d.message)).toContain('a group may hold at most 50 conditions');
    const nul = await s.request('POST', '/api/v1/segments/estimate', { rule: { kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value: 'a\u0000b' }] } });
    expect(nul.body.error.details).toEqual([{ path: 'rule.children.0.value', message: 'must not contain the NUL character' }]);
    const unknownSegment = await s.request('POST', '/api/v1/segments/estimate', { rule: { kind: 'and', children: [{ kind: 'segment', segmentId: 'nope', member: true }] } });
    expect(unknownSegment.body.error.details).toEqual([{ path: 'rule.children.0.segmentId', message: 'segment nope does not exist' }]);
  });

  it('shows a segment only to authorised roles, its creator and admins; others get "lacks segment permission"', async () => {
    const created = await s.request('POST', '/api/v1/segments', { name: `private-${dialect}`, kind: 'rule', rule: inShanghai, authorisedRoleIds: ['role_approver'] }, { role: 'operator' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    for (const role of ['operator', 'approver', 'admin'] as const) expect((await s.request('GET', `/api/v1/segments/${id}`, undefined, { role })).status, role).toBe(200);
    const denied = await s.request('GET', `/api/v1/segments/${id}`, undefined, { role: 'analyst' });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'segment_permission', message: expect.stringMatching(/lack segment permission/) });
    expect((await s.request('GET', `/api/v1/segments/${id}/members`, undefined, { role: 'analyst' })).status).toBe(403);
    expect((await s.request('POST', '/api/v1/segments/estimate', { segmentId: id }, { role: 'analyst' })).status).toBe(403);
    const listed = await s.request('GET', '/api/v1/segments?limit=500', undefined, { role: 'analyst' });
    expect(listed.body.items.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await s.request('GET', '/api/v1/segments?limit=500', undefined, { role: 'approver' })).body.items.map((x: { id: string }) => x.id)).toContain(id);
    const badRole = await s.request('POST', '/api/v1/segments', { name: `bad-role-${dialect}`, kind: 'csv', authorisedRoleIds: ['role_nope'] });
    expect(badRole.body.error.details).toEqual([{ path: 'authorisedRoleIds.0', message: 'role role_nope does not exist' }]);
  });

  it('keeps hidden segments out of the list and out of other rules', async () => {
    const hidden = await s.request('POST', '/api/v1/segments', { name: `hidden-${dialect}`, kind: 'rule', rule: inShanghai, visibleInList: false });
    const id = hidden.body.id as string;
    expect((await s.request('GET', '/api/v1/segments?limit=500')).body.items.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await s.request('GET', `/api/v1/segments/${id}`)).status).toBe(200);
    const reuse = await s.request('POST', '/api/v1/segments', { name: `reuse-${dialect}`, kind: 'rule', rule: { kind: 'and', children: [{ kind: 'segment', segmentId: id, member: true }] } });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error.details[0].message).toMatch(/is not in the segment list and cannot be reused/);
  });

  it('uses other segments in rules, refuses cycles and deleting a segment still referred to', async () => {
    const base = await s.request('POST', '/api/v1/segments', { name: `base-${dialect}`, kind: 'rule', rule: inShanghai });
    const outer = await s.request('POST', '/api/v1/segments', { name: `outer-${dialect}`, kind: 'rule', rule: { kind: 'and', children: [{ kind: 'segment', segmentId: base.body.id, member: true }, { kind: 'identity', type: 'whatsapp', has: true }] } });
    expect(outer.status, JSON.stringify(outer.body)).toBe(201);
    expect(await members(s, outer.body.id)).toEqual(['u1']);
    const cycle = await s.request('PATCH', `/api/v1/segments/${base.body.id}`, { rule: { kind: 'and', children: [{ kind: 'segment', segmentId: outer.body.id, member: false }] } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.details[0].message).toBe('the rule refers back to this segment through other segments');
    const del = await s.request('DELETE', `/api/v1/segments/${base.body.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.details[0]).toMatchObject({ path: 'segments' });
    expect((await s.request('DELETE', `/api/v1/segments/${outer.body.id}`)).status).toBe(200);
    expect((await s.request('DELETE', `/api/v1/segments/${base.body.id}`)).status).toBe(200);
    expect((await s.request('GET', `/api/v1/segments/${base.body.id}`)).status).toBe(404);
  });

  it('replaces members on refresh; a failed refresh keeps the last members and records the error and its time', async () => {
    const seg = await s.request('POST', '/api/v1/segments', { name: `refresh-${dialect}`, kind: 'rule', rule: inShanghai });
    const id = seg.body.id as string;
    await s.request('POST', '/api/v1/users/batch', { users: [{ id: `u5-${dialect}`, attributes: { city: 'Shanghai' } }] });
    expect(await members(s, id)).toEqual(['u1', 'u3']);
    clock.advance(60_000);
    const refreshed = await s.request('POST', `/api/v1/segments/${id}/refresh`);
    expect(refreshed.body).toMatchObject({ memberCount: 3, refreshedAt: iso(clock.now()), lastRefreshError: null });
    expect(await members(s, id)).toEqual(['u1', 'u3', `u5-${dialect}`]);
    // A rule that can no longer be read (as after a bad manual change): the refresh fails, the members stay.
    await s.c.segmentStore.update(id, { rule: '{"kind":"xor"}' });
    clock.advance(60_000);
    const failed = await s.request('POST', `/api/v1/segments/${id}/refresh`);
    expect(failed.status).toBe(200);
    expect(failed.body.lastRefreshError).toMatchObject({ at: iso(clock.now()) });
    expect(failed.body.memberCount).toBe(3);
    expect(await members(s, id)).toEqual(['u1', 'u3', `u5-${dialect}`]);
    expect((await s.c.segments.refreshSegment(id)).ok).toBe(false);
    const csv = await s.request('POST', '/api/v1/segments', { name: `fixed-${dialect}`, kind: 'csv' });
    expect((await s.request('POST', `/api/v1/segments/${csv.body.id}/refresh`)).status).toBe(409);
  });

  it('evaluates realtime segments at use, without refreshing', async () => {
    const seg = await s.request('POST', '/api/v1/segments', { name: `live-${dialect}`, kind: 'rule', rule: { kind: 'and', children: [{ kind: 'tag', name: 'vip', valueType: 'boolean', op: 'is_true' }] }, refreshMode: 'realtime' });
    expect(seg.body.refresh).toEqual({ mode: 'realtime', time: null });
    const id = seg.body.id as string;
    expect(await members(s, id)).toEqual([]);
    await s.request('POST', '/api/v1/users/batch', { users: [{ id: 'u1', tags: { vip: true } }] });
    expect(await members(s, id)).toEqual(['u1']);
    const task = { id: 't-live', audienceSegmentId: id };
    expect(await s.c.audience.inAudience(task, ['u1', 'u2'])).toEqual(new Set(['u1']));
    // A supplementary number brings its profile in, whatever the segment says.
    await s.request('POST', '/api/v1/users/batch', { users: [{ id: 'u-extra', identities: { whatsapp: '+8613900000007' } }] });
    expect(await s.c.audience.inAudience({ ...task, supplementaryIds: ['+8613900000007'] }, ['u1', 'u2', 'u-extra'])).toEqual(new Set(['u1', 'u-extra']));
    const batches: { profileId: string | null; phone: string | null }[][] = [];
    for await (const b of s.c.audience.iterateAudience({ ...task, supplementaryIds: ['+8613800000001', '+8613900000000'] }, { batchSize: 1 })) batches.push(b);
    expect(batches).toEqual([[{ profileId: 'u1', phone: '+8613800000001' }], [{ profileId: null, phone: '+8613900000000' }]]);
    // A rule naming a realtime segment reads it live too.
    expect((await s.request('POST', '/api/v1/segments/estimate', { rule: { kind: 'and', children: [{ kind: 'segment', segmentId: id, member: true }] } })).body).toEqual({ oneIds: 1, sendIds: 1 });
    await s.request('POST', '/api/v1/users/batch', { users: [{ id: 'u1', tags: { vip: false } }] });
  });

  it('iterates stored members in batches and restarts over the new members when they are replaced mid-way', async () => {
    const seg = await s.request('POST', '/api/v1/segments', { name: `iter-${dialect}`, kind: 'csv' });
    const id = seg.body.id as string;
    await s.request('POST', `/api/v1/segments/${id}/csv`, undefined, { raw: 'phone\n+8613800000001\n+8613800000031\n+8613800000032\n', headers: { 'content-type': 'text/csv' } });
    const seen: (string | null)[] = [];
    let replaced = false;
    for await (const batch of s.c.audience.iterateAudience(id, { batchSize: 2 })) {
      seen.push(...batch.map((m) => m.phone));
      if (!replaced) {
        replaced = true;
        await s.request('POST', `/api/v1/segments/${id}/csv`, undefined, { raw: 'phone\n+8613800000041\n', headers: { 'content-type': 'text/csv' } });
      }
    }
    expect(seen).toEqual(['+8613800000001', '+8613800000031', '+8613800000041']);
    const first = (await s.request('GET', `/api/v1/segments/${id}/members`)).body.items[0];
    expect(first).toMatchObject({ phone: '+8613800000041', profileId: null });
  });

  it('refreshes daily segments once their time (project timezone) has passed', async () => {
    // 2026-11-25T00:00Z is 08:00 in Shanghai: a 07:00 daily segment is due, an 09:00 one is not.
    clock.set(NOW);
    const early = await s.request('POST', '/api/v1/segments', { name: `daily7-${dialect}`, kind: 'rule', rule: inShanghai, refreshMode: 'daily', refreshTime: '07:00' });
    const late = await s.request('POST', '/api/v1/segments', { name: `daily9-${dialect}`, kind: 'rule', rule: inShanghai, refreshMode: 'daily' });
    expect(late.body.refresh).toEqual({ mode: 'daily', time: '06:00' });
    await s.request('PATCH', `/api/v1/segments/${late.body.id}`, { refreshTime: '09:00' });
    // Created (and so refreshed) at 08:00 today: nothing is due until tomorrow 07:00 / today 09:00.
    expect((await s.c.segments.refreshDueDailySegments(NOW + 30 * 60_000)).refreshed).toEqual([]);
    const r = await s.c.segments.refreshDueDailySegments(NOW + 90 * 60_000);
    expect(r.refreshed).toContain(late.body.id);
    expect(r.refreshed).not.toContain(early.body.id);
    expect((await s.c.segments.refreshDueDailySegments(NOW + 23.5 * 3_600_000)).refreshed).toContain(early.body.id);
    const bad = await s.request('POST', '/api/v1/segments', { name: `bad-daily-${dialect}`, kind: 'csv', refreshMode: 'daily' });
    expect(bad.body.error.details).toEqual([{ path: 'refreshMode', message: 'a csv segment is a fixed list and is never refreshed' }]);
  });
});
