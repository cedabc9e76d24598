import type BetterSqlite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema/index';

/**
 * Per (task, user) counters of triggered tasks, and the event look-ups the trigger engine needs. With
 * `raw` (the embedded database) the counters of a batch are added by one prepared statement a row in
 * one transaction, as delivery-store-sqlite.ts does the sends: every ingested batch of a triggered
 * task's event passes here, and Kysely compiling a 50-row upsert cost about as much as running it.
 */
export function createTriggerStore(db: Kysely<Database>, raw?: BetterSqlite.Database) {
  const upsert = raw?.prepare(`insert into trigger_counters (task_id, profile_id, count, updated_at) values (?, ?, ?, ?)
    on conflict (task_id, profile_id) do update set count = trigger_counters.count + excluded.count, updated_at = excluded.updated_at returning count`).pluck();
  return {
    /** Adds one to the user's count of A for the task and returns the new count (atomic upsert). */
    async increment(taskId: string, profileId: string, now: number): Promise<number> {
      const r = await db
        .insertInto('trigger_counters')
        .values({ task_id: taskId, profile_id: profileId, count: 1, updated_at: now })
        .onConflict((oc) => oc.columns(['task_id', 'profile_id']).doUpdateSet((eb) => ({ count: eb('trigger_counters.count', '+', 1), updated_at: now })))
        .returning('count')
        .executeTakeFirstOrThrow();
      return Number(r.count);
    },
    /** Adds `by` to each (task, user) count at once; returns the new counts keyed `task\u0000profile`. */
    async incrementMany(items: { taskId: string; profileId: string; by: number }[], now: number): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      if (raw && upsert) {
        // Holding Kysely's connection keeps any Kysely transaction from interleaving with these statements.
        await db.connection().execute(async () => raw.transaction(() => {
          for (const x of items) out.set(`${x.taskId}\u0000${x.profileId}`, Number(upsert.get(x.taskId, x.profileId, x.by, now)));
        })());
        return out;
      }
      for (let i = 0; i < items.length; i += 500) {
        const rows = await db
          .insertInto('trigger_counters')
          .values(items.slice(i, i + 500).map((x) => ({ task_id: x.taskId, profile_id: x.profileId, count: x.by, updated_at: now })))
          .onConflict((oc) => oc.columns(['task_id', 'profile_id']).doUpdateSet((eb) => ({ count: eb('trigger_counters.count', '+', eb.ref('excluded.count')), updated_at: now })))
          .returning(['task_id', 'profile_id', 'count'])
          .execute();
        for (const r of rows) out.set(`${r.task_id}\u0000${r.profile_id}`, Number(r.count));
      }
      return out;
    },
    /** Events `name` of a profile within [from, to], for a B that was ingested before its A. */
    eventsBetween: (profileId: string, name: string, from: number, to: number) =>
      db.selectFrom('events').select(['at', 'properties']).where('profile_id', '=', profileId).where('name', '=', name).where('at', '>=', from).where('at', '<=', to).execute(),
    async whatsappPhone(profileId: string): Promise<string | null> {
      const r = await db.selectFrom('identities').select('value').where('profile_id', '=', profileId).where('type', '=', 'whatsapp').executeTakeFirst();
      return r?.value ?? null;
    },
    /** The WhatsApp number of each profile that has one. */
    async whatsappPhones(profileIds: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (let i = 0; i < profileIds.length; i += 500) {
        const rows = await db.selectFrom('identities').select(['profile_id', 'value']).where('type', '=', 'whatsapp').where('profile_id', 'in', profileIds.slice(i, i + 500)).execute();
        for (const r of rows) if (!out.has(r.profile_id)) out.set(r.profile_id, r.value);
      }
      return out;
    },
    async whatsappProfiles(phones: string[]): Promise<Map<string, string>> {
      if (!phones.length) return new Map();
      const rows = await db.selectFrom('identities').select(['value', 'profile_id']).where('type', '=', 'whatsapp').where('value', 'in', phones).execute();
      return new Map(rows.map((r) => [r.value, r.profile_id]));
    },
  };
}
export type TriggerStore = ReturnType<typeof createTriggerStore>;
