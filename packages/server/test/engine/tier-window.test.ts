import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createCapStore } from '../../src/adapters/storage/cap-store';
import { up as addTierMinutes } from '../../src/adapters/storage/migrations/0008-tier-minutes';
import { createTestContainer, DIALECTS } from '../helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The messaging tier's rolling 24 hours, counted from per-minute counts: the same answers as counting
// every contact, on both backends.
describe.each(DIALECTS)('messaging tier window on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestContainer>>;
  beforeAll(async () => {
    t = await createTestContainer(dialect);
  });
  afterAll(async () => t?.close());

  it('grants and refuses exactly as counting every contact of the last 24 hours would, across days and minute edges', async () => {
    const caps = createCapStore(t.c.db, dialect);
    const rnd = random(7);
    const phones = Array.from({ length: 40 }, (_, i) => `+8613800${String(i).padStart(6, '0')}`);
    const limit = 12;
    const last = new Map<string, number>(); // the model: when the channel last wrote to each phone
    let now = T0;
    let edgeSteps = 0;
    for (let step = 0; step < 300; step++) {
      // Seconds apart (many contacts a minute), sometimes hours; and often to within half a minute of
      // a contact's 24 hours running out, so the window's edge falls inside a minute that has contacts.
      const inside = [...last.values()].filter((at) => at > now - DAY);
      const r = rnd();
      if (r < 0.35 && inside.length) {
        now = Math.max(now + 1, inside[Math.floor(rnd() * inside.length)]! + DAY + Math.floor((rnd() - 0.5) * 60_000));
        edgeSteps++;
      } else now += r < 0.9 ? Math.floor(rnd() * 90_000) : Math.floor(rnd() * 8 * HOUR);
      const batch = phones.filter(() => rnd() < 0.15);
      const since = now - DAY;
      const inWindow = (p: string) => (last.get(p) ?? since) > since;
      let free = Math.max(0, limit - [...last.values()].filter((at) => at > since).length);
      const expected = new Map<string, { ok: true } | { ok: false; freeAt: number }>();
      const denied: string[] = [];
      for (const p of new Set(batch)) {
        if (inWindow(p)) expected.set(p, { ok: true });
        else if (free > 0) {
          free--;
          expected.set(p, { ok: true });
        } else denied.push(p);
      }
      for (const p of expected.keys()) last.set(p, now);
      if (denied.length) {
        const oldest = Math.min(...[...last.values()].filter((at) => at > since));
        for (const p of denied) expected.set(p, { ok: false, freeAt: oldest + DAY + 1 });
      }
      const got = await caps.reserveTierMany('ch1', batch, limit, now);
      expect(Object.fromEntries(got), `step ${step} at ${new Date(now).toISOString()}`).toEqual(Object.fromEntries(expected));
    }
    expect(edgeSteps).toBeGreaterThan(50);
    // Minutes that left the window are dropped: what is kept spans one day.
    const minutes = await t.c.db.selectFrom('tier_minutes').select('minute').where('channel_id', '=', 'ch1').execute();
    expect(minutes.every((m) => Number(m.minute) >= Math.floor((now - DAY) / 60_000))).toBe(true);
  });

  it('never grants more slots than the tier to batches reserving at the same time', async () => {
    const caps = createCapStore(t.c.db, dialect);
    const batch = (from: number) => Array.from({ length: 20 }, (_, i) => `+861390000${String(from + i).padStart(4, '0')}`);
    const results = await Promise.all([0, 20, 10, 30].map((from) => caps.reserveTierMany('ch2', batch(from), 25, T0)));
    const granted = new Set(results.flatMap((m) => [...m].filter(([, v]) => v.ok).map(([p]) => p)));
    expect(granted.size).toBe(25);
    const counted = await t.c.db.selectFrom('tier_minutes').select('contacts').where('channel_id', '=', 'ch2').execute();
    expect(counted.reduce((n, r) => n + Number(r.contacts), 0)).toBe(25);
  });

  it('the migration counts the contacts recorded before it', async () => {
    const db = t.c.db as unknown as Kysely<unknown>;
    await sql`drop table tier_minutes`.execute(db);
    await t.c.db.deleteFrom('tier_contacts').execute();
    await t.c.db.insertInto('tier_contacts').values([
      { channel_id: 'a', phone: '+1', last_at: T0 + 1_000 },
      { channel_id: 'a', phone: '+2', last_at: T0 + 59_999 },
      { channel_id: 'a', phone: '+3', last_at: T0 + 60_000 },
      { channel_id: 'b', phone: '+1', last_at: T0 + 5_000 },
    ]).execute();
    await addTierMinutes(db);
    const rows = await t.c.db.selectFrom('tier_minutes').selectAll().orderBy('channel_id').orderBy('minute').execute();
    const m = T0 / 60_000;
    expect(rows.map((r) => [r.channel_id, Number(r.minute) - m, Number(r.contacts)])).toEqual([['a', 0, 2], ['a', 1, 1], ['b', 0, 1]]);
    // And reserving goes on from them: two of channel a's three are in the window a day later.
    const caps = createCapStore(t.c.db, dialect);
    const got = await caps.reserveTierMany('a', ['+4', '+5'], 3, T0 + DAY + 30_000);
    expect(Object.fromEntries(got)).toEqual({ '+4': { ok: true }, '+5': { ok: false, freeAt: T0 + 59_999 + DAY + 1 } });
  });
});
