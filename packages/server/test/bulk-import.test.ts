import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestedEvent } from '../src/adapters/storage/event-store';
import { createBulkImport } from '../src/services/bulk-import';
import type { EventsListener } from '../src/services/customer-data';
import { createTestContainer, DIALECTS } from './helpers';

const NAMES = ['app_open', 'purchase'];
const eventLine = (i: number, users = 50) =>
  JSON.stringify({ userId: `bi-u${i % users}`, name: NAMES[i % 2], time: '2026-11-20T10:00:00Z', properties: i % 2 ? { amount: i, sku: `S${i % 7}` } : { page: `/p${i % 5}` }, messageId: `bi-m${i}` });
const upload = (lines: string[]) => Readable.from([lines.join('\n')]);

// The NDJSON import against both backends, with small transactions so that a few thousand lines
// span many pieces (parsed on the worker thread), batches and transactions.
describe.each(DIALECTS)('NDJSON bulk import on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestContainer>>;
  const bulk = () => createBulkImport({ data: t.c.customerData, clock: t.clock, limits: { events: { rows: 3_000, ms: 60_000, batch: 1_000 }, profiles: { rows: 1_500, ms: 60_000, batch: 500 } } });
  const countEvents = async (prefix: string) =>
    Number((await t.c.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('message_id', 'like', `${prefix}%`).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await createTestContainer(dialect);
  });
  afterAll(async () => t?.close());

  it('writes each messageId once across pieces, transactions and threads; unknown users get a profile; the catalogue grows', async () => {
    // 12,000 events, then the first 3,000 again (duplicates far from their originals), and bad lines.
    const lines = Array.from({ length: 12_000 }, (_, i) => eventLine(i));
    lines.splice(5_000, 0, '{"userId": "bi-u1", "name": "9lives"}', 'not json');
    lines.push(...Array.from({ length: 3_000 }, (_, i) => eventLine(i)));
    const s = await bulk().importEvents(upload(lines));
    expect(s).toMatchObject({ lines: 15_002, accepted: 12_000, duplicates: 3_000, refused: 2 });
    expect(s.errors.map((e) => e.line)).toEqual([5_001, 5_002]);
    expect(await countEvents('bi-m')).toBe(12_000);
    expect((await t.c.customerData.getProfile('bi-u49')).id).toBe('bi-u49');
    const cat = await t.c.customerData.catalogue();
    expect(cat.events.find((e) => e.name === 'purchase')?.properties).toEqual([{ name: 'amount', type: 'number' }, { name: 'sku', type: 'string' }]);
    // Sent again: all duplicates, nothing written.
    const again = await bulk().importEvents(upload(lines));
    expect(again).toMatchObject({ accepted: 0, duplicates: 15_000 });
    expect(await countEvents('bi-m')).toBe(12_000);
  });

  it('a messageId repeated within one batch keeps its first line, though the batch is written by profile', async () => {
    const lines = [
      JSON.stringify({ userId: 'bi-z9', name: 'first', time: '2026-11-20T10:00:00Z', messageId: 'bi-dup' }),
      JSON.stringify({ userId: 'bi-a1', name: 'second', time: '2026-11-20T09:00:00Z', messageId: 'bi-dup' }),
      JSON.stringify({ userId: 'bi-a1', name: 'third', time: '2026-11-20T11:00:00Z', messageId: 'bi-dup-3' }),
    ];
    expect(await bulk().importEvents(upload(lines))).toMatchObject({ accepted: 2, duplicates: 1, refused: 0 });
    const rows = await t.c.db.selectFrom('events').select(['profile_id', 'name', 'message_id']).where('message_id', 'like', 'bi-dup%').orderBy('message_id').execute();
    expect(rows).toEqual([{ profile_id: 'bi-z9', name: 'first', message_id: 'bi-dup' }, { profile_id: 'bi-a1', name: 'third', message_id: 'bi-dup-3' }]);
  });

  it('an upload that breaks keeps the transactions committed before, and nothing of the one it broke', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => eventLine(i).replace(/bi-m/, 'br-m'));
    const stream = Readable.from((async function* () {
      for (let i = 0; i < lines.length; i += 500) yield Buffer.from(lines.slice(i, i + 500).join('\n') + '\n');
      throw new Error('connection reset');
    })());
    await expect(bulk().importEvents(stream)).rejects.toThrow('connection reset');
    const rows = await t.c.db.selectFrom('events').select('message_id').where('message_id', 'like', 'br-m%').execute();
    const written = new Set(rows.map((r) => r.message_id));
    // Whole transactions of at least 3,000 events, in line order; the one open when it broke rolled back.
    expect(written.size).toBeGreaterThanOrEqual(3_000);
    expect(written.size).toBeLessThan(10_000);
    for (let i = 0; i < written.size; i++) expect(written.has(`br-m${i}`)).toBe(true);
  });

  it('listeners hear of imported events once committed, only of the names they ask for', async () => {
    const heard: { all: IngestedEvent[]; purchases: IngestedEvent[]; committed: boolean[] } = { all: [], purchases: [], committed: [] };
    const all: EventsListener = async (events) => {
      heard.all.push(...events);
    };
    const purchases: EventsListener = Object.assign(async (events: IngestedEvent[]) => {
      heard.purchases.push(...events);
      heard.committed.push((await t.c.customerData.timeline(events[0]!.profileId, { limit: 1, name: events[0]!.name })).length > 0);
    }, { eventNames: async () => new Set(['purchase']) });
    t.c.eventListeners.push(purchases);
    try {
      const lines = Array.from({ length: 4_000 }, (_, i) => eventLine(i).replace(/bi-m/, 'li-m'));
      await bulk().importEvents(upload(lines));
      expect(heard.purchases).toHaveLength(2_000);
      expect(new Set(heard.purchases.map((e) => e.name))).toEqual(new Set(['purchase']));
      // Heard in the order written (by profile and time within a transaction), each with its own properties.
      expect(heard.purchases.find((e) => (e.properties as { amount?: number }).amount === 3)).toMatchObject({ name: 'purchase', profileId: 'bi-u3', properties: { amount: 3, sku: 'S3' } });
      expect(heard.committed.every(Boolean)).toBe(true);
      // A listener that names nothing hears of every event.
      t.c.eventListeners.push(all);
      await bulk().importEvents(upload(Array.from({ length: 1_000 }, (_, i) => eventLine(i).replace(/bi-m/, 'la-m'))));
      expect(heard.all).toHaveLength(1_000);
    } finally {
      t.c.eventListeners.splice(t.c.eventListeners.indexOf(purchases), 1);
      if (t.c.eventListeners.includes(all)) t.c.eventListeners.splice(t.c.eventListeners.indexOf(all), 1);
    }
  });

  it('new identities, new users and repeated messageIds across transactions written side by side: one profile each, each event once', async () => {
    // On PostgreSQL two transactions are written at once (the store's lanes): both meet the same new
    // numbers, users and messageIds; a session that loses a race is written again, not failed.
    const phone = (i: number) => `+86139${String(i % 40).padStart(8, '0')}`;
    const lines = Array.from({ length: 9_000 }, (_, i) =>
      JSON.stringify(i % 2 ? { identity: { type: 'whatsapp', value: phone(i) }, name: 'app_open', messageId: `lx-m${i % 6_000}` } : { userId: `lx-u${i % 30}`, name: 'app_open', messageId: `lx-m${i % 6_000}` }),
    );
    const s = await bulk().importEvents(upload(lines));
    expect(s).toMatchObject({ lines: 9_000, accepted: 6_000, duplicates: 3_000, refused: 0 });
    expect(await countEvents('lx-m')).toBe(6_000);
    const owners = await t.c.db.selectFrom('identities').select(['value', 'profile_id']).where('value', 'like', '+86139%').execute();
    expect(owners).toHaveLength(20); // the odd lines' 20 numbers, each with one profile
    expect(new Set(owners.map((o) => o.profile_id)).size).toBe(20);
    expect((await t.c.customerData.getProfile('lx-u28')).id).toBe('lx-u28');
  });

  it('keeps text as it was sent: quotes, backslashes, braces, commas, NULL, non-ASCII', async () => {
    const odd = 'we"ird\\, {id} \u2028 NULL 名前';
    const lines = [
      JSON.stringify({ userId: odd, name: 'odd event', properties: { q: 'a "b" \\c\\', arr: ['x,y', '{z}'], n: null }, messageId: `NULL${odd}` }),
      JSON.stringify({ userId: 'NULL', name: 'odd event', messageId: 'odd-2' }),
      JSON.stringify({ userId: 'ctl\u0001\u0002', name: 'odd event', properties: { c: '\u0001' }, messageId: 'odd-3' }),
    ];
    const s = await bulk().importEvents(upload(lines));
    expect(s).toMatchObject({ accepted: 3, refused: 0 });
    const [e] = await t.c.customerData.timeline(odd, { limit: 5 });
    expect(e).toMatchObject({ name: 'odd event', properties: { q: 'a "b" \\c\\', arr: ['x,y', '{z}'], n: null }, messageId: `NULL${odd}` });
    expect((await t.c.customerData.getProfile('NULL')).id).toBe('NULL');
    expect((await t.c.customerData.timeline('ctl\u0001\u0002', { limit: 1 }))[0]?.properties).toEqual({ c: '\u0001' });
  });

  it('profiles: a conflicting line is refused by number, the others are written across transactions', async () => {
    const phone = (i: number) => `+86138${String(i).padStart(8, '0')}`;
    const lines = Array.from({ length: 5_000 }, (_, i) => JSON.stringify({ id: `bp-${i}`, identities: { whatsapp: phone(i) }, attributes: { n: i }, tags: { level: i % 3 } }));
    // Line 4,001 claims the number of line 2 (written in an earlier transaction).
    lines[4_000] = JSON.stringify({ id: 'bp-x', identities: { whatsapp: phone(1) } });
    lines[4_001] = JSON.stringify({ id: 'bp-4001', identities: { whatsapp: phone(4_001) }, attributes: { odd: 'a\u0001"b"\\ NULL', list: ['', 'x,y'], at: '2026-01-02T03:04:05+08:00' }, tags: { t: '' } });
    const s = await bulk().importProfiles(upload(lines));
    expect(s).toMatchObject({ lines: 5_000, accepted: 4_999, refused: 1 });
    expect(s.errors).toEqual([{ line: 4_001, path: 'identities.whatsapp', message: `${phone(1)} already belongs to profile bp-1` }]);
    expect((await t.c.customerData.getProfile('bp-4001')).attributes).toEqual({ odd: 'a\u0001"b"\\ NULL', list: ['', 'x,y'], at: '2026-01-01T19:04:05.000Z' });
    expect(await t.c.customerData.getProfile('bp-4999')).toMatchObject({ attributes: { n: 4_999 }, tags: { level: 4_999 % 3 }, identities: [{ type: 'whatsapp', value: phone(4_999) }] });
  });

  it('profiles: a later line of a profile wins, though transactions are written side by side', async () => {
    const phone = (i: number) => `+86137${String(i).padStart(8, '0')}`;
    const line = (i: number, v: number, number = phone(i)) => JSON.stringify({ id: `bq-${i % 1_000}`, identities: { whatsapp: number }, attributes: { v } });
    // 6,000 lines over 1,000 profiles: each profile six times, once in each transaction of 1,500 lines or so.
    const lines = Array.from({ length: 6_000 }, (_, i) => line(i % 1_000, Math.floor(i / 1_000)));
    // A number moved from one profile to another in a later transaction is refused there (it is taken).
    lines.push(line(5, 9, phone(6)));
    const s = await bulk().importProfiles(upload(lines));
    expect(s).toMatchObject({ lines: 6_001, accepted: 6_000, refused: 1 });
    expect(s.errors[0]).toMatchObject({ line: 6_001, path: 'identities.whatsapp' });
    for (const id of ['bq-0', 'bq-499', 'bq-999']) expect((await t.c.customerData.getProfile(id)).attributes).toEqual({ v: 5 });
  });

  it('profiles: a number given up by one profile and taken by another later in the file moves, as if written in order', async () => {
    const phone = (i: number) => `+86136${String(i).padStart(8, '0')}`;
    const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `mv-f${from + i}`, identities: { whatsapp: phone(100 + from + i) } }));
    // mv-a holds the number, then (a transaction later) takes another; mv-c (the transaction after) takes the first.
    const lines = [
      JSON.stringify({ id: 'mv-a', identities: { whatsapp: phone(1) } }),
      ...filler(0, 1_600),
      JSON.stringify({ id: 'mv-a', identities: { whatsapp: phone(2) } }),
      ...filler(1_600, 1_600),
      JSON.stringify({ id: 'mv-c', identities: { whatsapp: phone(1) } }),
      ...filler(3_200, 1_600),
    ];
    const s = await bulk().importProfiles(upload(lines));
    expect(s).toMatchObject({ lines: 4_803, accepted: 4_803, refused: 0 });
    expect((await t.c.customerData.getProfile('mv-c')).identities).toEqual([{ type: 'whatsapp', value: phone(1) }]);
    expect((await t.c.customerData.getProfile('mv-a')).identities).toEqual([{ type: 'whatsapp', value: phone(2) }]);
  });
});
