import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema/index';

type Trx = Transaction<Database>;
/** The messaging tier counts unique users per rolling 24 hours. */
const TIER_WINDOW_MS = 24 * 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Frequency-cap counters and the messaging-tier contact list. Counters are consumed inside one
 * transaction per recipient: on PostgreSQL a transaction-scoped advisory lock on the recipient
 * serialises concurrent workers (two workers deciding for one user at once could both see room for
 * one more message); SQLite has a single writer.
 */
export function createCapStore(db: Kysely<Database>, dialect: 'sqlite' | 'postgres') {
  return {
    async withRecipientLock<T>(recipient: string, f: (trx: Trx) => Promise<T>): Promise<T> {
      return this.withRecipientLocks([recipient], f);
    },
    /**
     * One transaction holding the locks of several recipients. They are taken in one statement, in the
     * order of their hashes, so two workers locking overlapping sets wait for each other instead of
     * deadlocking.
     */
    async withRecipientLocks<T>(recipients: string[], f: (trx: Trx) => Promise<T>): Promise<T> {
      return db.transaction().execute(async (trx) => {
        if (dialect === 'postgres' && recipients.length) {
          await sql`select pg_advisory_xact_lock(h) from (select distinct hashtext(r) as h from unnest(${[...new Set(recipients)]}::text[]) as r order by h) as locks`.execute(trx);
        }
        return f(trx);
      });
    },
    async read(trx: Trx, keys: string[], now: number): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      const unique = [...new Set(keys)];
      for (let i = 0; i < unique.length; i += 500) {
        const rows = await trx.selectFrom('cap_counters').select(['key', 'count', 'expires_at']).where('key', 'in', unique.slice(i, i + 500)).execute();
        for (const r of rows) if (r.expires_at === null || Number(r.expires_at) > now) out.set(r.key, Number(r.count));
      }
      return out;
    },
    /** Adds to several counters in one statement. */
    async addMany(trx: Trx, adds: { key: string; n: number; expiresAt: number | null }[]): Promise<void> {
      const list = adds.filter((a) => a.n > 0);
      for (let i = 0; i < list.length; i += 500) {
        await trx.insertInto('cap_counters').values(list.slice(i, i + 500).map((a) => ({ key: a.key, count: a.n, expires_at: a.expiresAt })))
          .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ count: eb('cap_counters.count', '+', eb.ref('excluded.count')) })))
          .execute();
      }
    },
    async add(trx: Trx, key: string, n: number, expiresAt: number | null): Promise<void> {
      if (n <= 0) return;
      await trx.insertInto('cap_counters').values({ key, count: n, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ count: eb('cap_counters.count', '+', n) })))
        .execute();
    },
    /**
     * Reserves messaging-tier slots (unique users a channel may start conversations with per rolling
     * 24 hours) for a batch of phones, atomically: one transaction, serialised per channel (SQLite has
     * one writer; PostgreSQL takes an advisory lock on the channel), so workers reserving at the same
     * time cannot together exceed the tier. A phone already counted in the window passes; new ones take
     * the free slots in the order given; the rest learn when the oldest slot frees.
     *
     * The contacts in the window are counted from per-minute counts (`tier_minutes`, kept in step with
     * `tier_contacts` here, the only writer of either): the whole minutes after the window's edge, plus
     * the contacts of the edge's own minute that are inside it — exact, and at most 1,440 counts and
     * one minute of contacts read a batch, whatever the tier.
     */
    async reserveTierMany(channelId: string, phones: string[], limit: number, now: number): Promise<Map<string, { ok: true } | { ok: false; freeAt: number }>> {
      const since = now - TIER_WINDOW_MS;
      const unique = [...new Set(phones)];
      const out = new Map<string, { ok: true } | { ok: false; freeAt: number }>();
      if (!unique.length) return out;
      return db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`tier:${channelId}`}))`.execute(trx);
        // When the channel last wrote to each phone, inside the window or not (its minute count moves).
        const last = new Map<string, number>();
        for (let i = 0; i < unique.length; i += 500) {
          const rows = await trx.selectFrom('tier_contacts').select(['phone', 'last_at']).where('channel_id', '=', channelId).where('phone', 'in', unique.slice(i, i + 500)).execute();
          for (const r of rows) last.set(r.phone, Number(r.last_at));
        }
        const inWindow = (p: string) => (last.get(p) ?? since) > since;
        const known = unique.filter(inWindow);
        const fresh = unique.filter((p) => !inWindow(p));
        const free = fresh.length ? Math.max(0, limit - (await contactsSince(trx, channelId, since))) : 0;
        const granted = [...known, ...fresh.slice(0, free)];
        const denied = fresh.slice(free);
        for (let i = 0; i < granted.length; i += 500) {
          await trx.insertInto('tier_contacts').values(granted.slice(i, i + 500).map((phone) => ({ channel_id: channelId, phone, last_at: now })))
            .onConflict((oc) => oc.columns(['channel_id', 'phone']).doUpdateSet({ last_at: now })).execute();
        }
        await moveMinutes(trx, channelId, granted.map((p) => last.get(p)), now, since);
        for (const p of granted) out.set(p, { ok: true });
        if (denied.length) {
          const oldest = await trx.selectFrom('tier_contacts').select((eb) => eb.fn.min('last_at').as('t')).where('channel_id', '=', channelId).where('last_at', '>', since).executeTakeFirst();
          const freeAt = Number(oldest?.t ?? now) + TIER_WINDOW_MS + 1;
          for (const p of denied) out.set(p, { ok: false, freeAt });
        }
        return out;
      });
    },
    async getState(key: string): Promise<string | undefined> {
      return (await db.selectFrom('engine_state').select('value').where('key', '=', key).executeTakeFirst())?.value;
    },
    async setState(key: string, value: string, now: number): Promise<void> {
      await db.insertInto('engine_state').values({ key, value, updated_at: now }).onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now })).execute();
    },
  };
}
export type CapStore = ReturnType<typeof createCapStore>;

/** The minute a time falls in, as `tier_minutes` keys it. */
const minuteOf = (at: number) => Math.floor(at / MINUTE_MS);

/** The channel's contacts whose last message is after `since`. */
async function contactsSince(trx: Trx, channelId: string, since: number): Promise<number> {
  const edge = minuteOf(since);
  const whole = await trx.selectFrom('tier_minutes').select((eb) => eb.fn.sum<number>('contacts').as('n')).where('channel_id', '=', channelId).where('minute', '>', edge).executeTakeFirst();
  const part = await trx.selectFrom('tier_contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channelId)
    .where('last_at', '>', since).where('last_at', '<', (edge + 1) * MINUTE_MS).executeTakeFirstOrThrow();
  return Number(whole?.n ?? 0) + Number(part.n);
}

/**
 * Moves the minute counts of the contacts just written at `now` (each leaves the minute of its previous
 * message, if it had one) in one upsert, then drops the minutes that fell out of the window. A count
 * taken from a minute already dropped lands in a row older than the window, dropped with them.
 */
async function moveMinutes(trx: Trx, channelId: string, previous: (number | undefined)[], now: number, since: number): Promise<void> {
  if (!previous.length) return;
  const delta = new Map<number, number>([[minuteOf(now), previous.length]]);
  for (const at of previous) if (at !== undefined) delta.set(minuteOf(at), (delta.get(minuteOf(at)) ?? 0) - 1);
  const rows = [...delta].filter(([, n]) => n !== 0).map(([minute, n]) => ({ channel_id: channelId, minute, contacts: n }));
  for (let i = 0; i < rows.length; i += 500) {
    await trx.insertInto('tier_minutes').values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['channel_id', 'minute']).doUpdateSet((eb) => ({ contacts: eb('tier_minutes.contacts', '+', eb.ref('excluded.contacts')) })))
      .execute();
  }
  await trx.deleteFrom('tier_minutes').where('channel_id', '=', channelId).where((eb) => eb.or([eb('minute', '<', minuteOf(since)), eb('contacts', '<=', 0)])).execute();
}
