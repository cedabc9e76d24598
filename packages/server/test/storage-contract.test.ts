import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventInput, parseProfileInput, type EventIngest, type ProfileUpsert } from '@wareach/core';
import { createTestContainer, DIALECTS } from './helpers';

const NOW = Date.parse('2026-11-25T00:00:00Z');
const profile = (input: unknown): ProfileUpsert => {
  const r = parseProfileInput(input);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};
const event = (input: unknown): EventIngest => {
  const r = parseEventInput(input, NOW);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

// One storage contract, run against both backends: what passes on SQLite must pass on PostgreSQL.
describe.each(DIALECTS)('storage contract on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestContainer>>;
  beforeAll(async () => {
    t = await createTestContainer(dialect);
  });
  afterAll(async () => t?.close());

  it('an upserted profile reads back with typed attributes, tags, identities and timezone', async () => {
    const r = await t.c.profiles.upsert([profile({ id: 'p1', identities: { whatsapp: '+8613800138000', email: 'A@Example.com' }, timezone: 'Asia/Shanghai', attributes: { city: 'Shanghai', age: 31, vip: true, since: '2025-01-02T03:04:05Z', interests: ['a', 'b'] }, tags: { level: 3, tier: 'gold' } })], NOW);
    expect(r).toEqual({ ok: true, ids: ['p1'], created: 1 });
    const p = await t.c.profiles.get('p1');
    expect(p).toMatchObject({
      id: 'p1', subjectType: 'user', timezone: 'Asia/Shanghai',
      identities: [{ type: 'email', value: 'a@example.com' }, { type: 'whatsapp', value: '+8613800138000' }],
      attributes: { city: 'Shanghai', age: 31, vip: true, since: '2025-01-02T03:04:05.000Z', interests: ['a', 'b'] },
      tags: { level: 3, tier: 'gold' },
    });
  });

  it('a second upsert merges: given attributes replace, null removes, others stay', async () => {
    await t.c.profiles.upsert([profile({ id: 'p1', attributes: { city: 'Beijing', vip: null, interests: ['c'] }, tags: { tier: null } })], NOW + 1);
    const p = await t.c.profiles.get('p1');
    expect(p?.attributes).toEqual({ city: 'Beijing', age: 31, since: '2025-01-02T03:04:05.000Z', interests: ['c'] });
    expect(p?.tags).toEqual({ level: 3 });
  });

  it('a profile given only by identity resolves to its owner', async () => {
    const r = await t.c.profiles.upsert([profile({ identities: { whatsapp: '008613800138000' }, attributes: { x: 1 } })], NOW);
    expect(r).toMatchObject({ ok: true, ids: ['p1'], created: 0 });
  });

  it('a batch where one identity belongs to another profile writes nothing', async () => {
    const r = await t.c.profiles.upsert([profile({ id: 'p2', attributes: { city: 'X' } }), profile({ id: 'p3', identities: { whatsapp: '+8613800138000' } })], NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ path: '1.identities.whatsapp' });
    expect(await t.c.profiles.get('p2')).toBeUndefined();
  });

  it('a new WhatsApp number replaces the old one', async () => {
    await t.c.profiles.upsert([profile({ id: 'p1', identities: { whatsapp: '+8613800138001' } })], NOW);
    expect(await t.c.profiles.findIdByIdentity('whatsapp', '+8613800138001')).toBe('p1');
    expect(await t.c.profiles.findIdByIdentity('whatsapp', '+8613800138000')).toBeUndefined();
  });

  it('items of one batch for the same profile apply in order, new or existing', async () => {
    const r = await t.c.profiles.upsert([
      profile({ id: 'p4', identities: { whatsapp: '+8613800138004' }, timezone: 'Asia/Shanghai', attributes: { city: 'Shanghai', age: 20 }, tags: { level: 1 } }),
      profile({ id: 'p4', identities: { whatsapp: '+8613800138005' }, subjectType: 'company', timezone: null, attributes: { age: null, interests: ['x', 'y'] }, tags: { level: 2 } }),
      profile({ id: 'p1', attributes: { city: 'Hangzhou' } }),
      profile({ id: 'p1', timezone: 'Europe/London', attributes: { city: 'Suzhou' } }),
    ], NOW + 2);
    expect(r).toEqual({ ok: true, ids: ['p4', 'p4', 'p1', 'p1'], created: 1 });
    expect(await t.c.profiles.get('p4')).toMatchObject({
      subjectType: 'company', timezone: null, identities: [{ type: 'whatsapp', value: '+8613800138005' }],
      attributes: { city: 'Shanghai', interests: ['x', 'y'] }, tags: { level: 2 },
    });
    expect(await t.c.profiles.findIdByIdentity('whatsapp', '+8613800138004')).toBeUndefined();
    const p1 = await t.c.profiles.get('p1');
    expect(p1).toMatchObject({ subjectType: 'user', timezone: 'Europe/London', attributes: { city: 'Suzhou', age: 31 }, updatedAt: new Date(NOW + 2).toISOString() });
    await t.c.profiles.upsert([profile({ id: 'p1', timezone: null }), profile({ id: 'p4', subjectType: 'user' })], NOW + 3);
    expect((await t.c.profiles.get('p1'))?.timezone).toBeNull();
    expect(await t.c.profiles.get('p4')).toMatchObject({ subjectType: 'user', timezone: null, attributes: { city: 'Shanghai', interests: ['x', 'y'] } });
    await t.c.profiles.erase('p4');
  });

  it('profiles read together (getMany) are each what get answers; unknown ids are absent', async () => {
    await t.c.profiles.upsert([
      profile({ id: 'm1', identities: { whatsapp: '+8613800138011' }, attributes: { interests: ['b', 'a'], age: 5 }, tags: { level: 1 } }),
      profile({ id: 'm2', timezone: 'Europe/London', attributes: { city: 'X' } }),
    ], NOW);
    const ids = ['m2', 'nobody', 'p1', 'm1', 'm2', ...Array.from({ length: 600 }, (_, i) => `none-${i}`)];
    const many = await t.c.profiles.getMany(ids);
    expect([...many.keys()].sort()).toEqual(['m1', 'm2', 'p1']);
    for (const id of ['m1', 'm2', 'p1']) expect(many.get(id)).toEqual(await t.c.profiles.get(id));
    expect(many.get('m1')).toMatchObject({ identities: [{ type: 'whatsapp', value: '+8613800138011' }], attributes: { interests: ['b', 'a'], age: 5 }, tags: { level: 1 } });
    await t.c.profiles.erase('m1');
    await t.c.profiles.erase('m2');
  });

  it('events are idempotent on messageId and create unknown users', async () => {
    const batch = [
      event({ userId: 'p1', name: 'purchase', time: '2026-11-20T10:00:00Z', properties: { amount: 9.5, sku: 'A' }, messageId: 'm-1' }),
      event({ userId: 'new-user', name: 'app_open', messageId: 'm-2' }),
      event({ identity: { type: 'whatsapp', value: '+8613800138001' }, name: 'purchase', properties: { amount: 1 } }),
      event({ identity: { type: 'whatsapp', value: '+447911123456' }, name: 'app_open' }),
    ];
    const r1 = await t.c.events.ingest(batch, NOW);
    expect(r1).toMatchObject({ accepted: 4, duplicates: 0, createdProfiles: 2 });
    expect(r1.events.map((e) => e.profileId).slice(0, 3)).toEqual(['p1', 'new-user', 'p1']);
    const r2 = await t.c.events.ingest(batch.slice(0, 2), NOW);
    expect(r2).toMatchObject({ accepted: 0, duplicates: 2, createdProfiles: 0 });
    const timeline = await t.c.events.timeline('p1', { limit: 10 });
    expect(timeline.map((e) => e.name)).toEqual(['purchase', 'purchase']);
  });

  it('a large event batch creates exactly the profiles not known yet', async () => {
    await t.c.profiles.upsert(Array.from({ length: 600 }, (_, i) => profile({ id: `big-${i}` })), NOW);
    const batch = Array.from({ length: 1500 }, (_, i) => event({ userId: `big-${i % 1100}`, name: 'open', messageId: `big-m${i}` }));
    expect(await t.c.events.ingest(batch, NOW)).toMatchObject({ accepted: 1500, duplicates: 0, createdProfiles: 500 });
    expect(await t.c.profiles.get('big-1099')).toMatchObject({ id: 'big-1099', subjectType: 'user', timezone: null });
    expect(await t.c.events.ingest(batch.slice(0, 10), NOW)).toMatchObject({ accepted: 0, duplicates: 10, createdProfiles: 0 });
  });

  it('writers racing on the same new profile, identity and messageId all succeed, and each is written once', async () => {
    // API requests are not serialised on PostgreSQL: the loser of a race on a new key is written again.
    const racers = Array.from({ length: 8 }, (_, k) => k);
    const ups = await Promise.all(racers.map((k) => t.c.profiles.upsert([profile({ id: 'race-p', identities: { whatsapp: '+8613800139999' }, attributes: { k } })], NOW + k)));
    expect(ups.every((r) => r.ok)).toBe(true);
    expect(ups.filter((r) => r.ok && r.created === 1)).toHaveLength(1);
    expect((await t.c.profiles.get('race-p'))?.identities).toEqual([{ type: 'whatsapp', value: '+8613800139999' }]);
    const evs = await Promise.all(racers.map(() => t.c.events.ingest([event({ identity: { type: 'whatsapp', value: '+8613800138888' }, name: 'race', messageId: 'race-m' })], NOW)));
    expect(evs.reduce((n, r) => n + r.accepted, 0)).toBe(1);
    expect(evs.reduce((n, r) => n + r.duplicates, 0)).toBe(7);
    const owners = await t.c.db.selectFrom('identities').select('profile_id').where('value', '=', '+8613800138888').execute();
    expect(owners).toHaveLength(1);
  });

  it('the catalogue lists event names with property types, attributes and tags', async () => {
    const cat = await t.c.events.catalogue();
    const purchase = cat.events.find((e) => e.name === 'purchase');
    expect(purchase?.properties).toEqual(expect.arrayContaining([{ name: 'amount', type: 'number' }, { name: 'sku', type: 'string' }]));
    expect(cat.attributes).toEqual(expect.arrayContaining([{ name: 'age', type: 'number' }, { name: 'interests', type: 'string_list' }, { name: 'since', type: 'datetime' }]));
    expect(cat.tags).toEqual(expect.arrayContaining([{ name: 'level', type: 'number' }]));
  });

  it("the catalogue's first and last seen follow the events, rewritten only beyond a minute's slack", async () => {
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    const seen = async () => (await t.c.events.catalogue()).events.find((e) => e.name === 'slack_probe');
    await t.c.events.ingest([event({ userId: 'p2', name: 'slack_probe', time: at(0) })], NOW);
    expect(await seen()).toMatchObject({ firstSeen: at(0), lastSeen: at(0) });
    await t.c.events.ingest([event({ userId: 'p2', name: 'slack_probe', time: at(30_000) })], NOW);
    expect((await seen())?.lastSeen).toBe(at(0));
    await t.c.events.ingest([event({ userId: 'p2', name: 'slack_probe', time: at(-3_600_000) })], NOW);
    expect(await seen()).toMatchObject({ firstSeen: at(-3_600_000), lastSeen: at(0) });
    await t.c.events.ingest([event({ userId: 'p2', name: 'slack_probe', time: at(120_000) })], NOW);
    expect(await seen()).toMatchObject({ firstSeen: at(-3_600_000), lastSeen: at(120_000) });
  });

  it('erasure removes the profile, identities, attributes, tags and events', async () => {
    const r = await t.c.profiles.erase('p1');
    expect(r).toEqual({ events: 2 });
    expect(await t.c.profiles.get('p1')).toBeUndefined();
    expect(await t.c.profiles.findIdByIdentity('whatsapp', '+8613800138001')).toBeUndefined();
    expect(await t.c.events.timeline('p1', { limit: 10 })).toEqual([]);
  });
});
