import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema/index';

type Trx = Transaction<Database>;
/** The messaging tier counts unique users per rolling 24 hours. */
const TIER_WINDOW_MS = 24 * 3_600_000;

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
     */
    async reserveTierMany(channelId: string, phones: string[], limit: number, now: number): Promise<Map<string, { ok: true } | { ok: false; freeAt: number }>> {
      const since = now - TIER_WINDOW_MS;
      const unique = [...new Set(phones)];
      const out = new Map<string, { ok: true } | { ok: false; freeAt: number }>();
      if (!unique.length) return out;
      return db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`tier:${channelId}`}))`.execute(trx);
        const known = new Set<string>();
        for (let i = 0; i < unique.length; i += 500) {
          const rows = await trx.selectFrom('tier_contacts').select('phone').where('channel_id', '=', channelId).where('phone', 'in', unique.slice(i, i + 500)).where('last_at', '>', since).execute();
          for (const r of rows) known.add(r.phone);
        }
        const fresh = unique.filter((p) => !known.has(p));
        let free = 0;
        if (fresh.length) {
          const used = await trx.selectFrom('tier_contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channelId).where('last_at', '>', since).executeTakeFirstOrThrow();
          free = Math.max(0, limit - Number(used.n));
        }
        const granted = [...known, ...fresh.slice(0, free)];
        const denied = fresh.slice(free);
        for (let i = 0; i < granted.length; i += 500) {
          await trx.insertInto('tier_contacts').values(granted.slice(i, i + 500).map((phone) => ({ channel_id: channelId, phone, last_at: now })))
            .onConflict((oc) => oc.columns(['channel_id', 'phone']).doUpdateSet({ last_at: now })).execute();
        }
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
