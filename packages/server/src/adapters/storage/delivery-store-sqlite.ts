import type BetterSqlite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema/index';
import type { DeliveryRow, NewDelivery } from './delivery-store';

/**
 * The embedded database's hot path of a send — the fan-out insert, the batch load, the claim and the
 * acceptance of every message — on prepared better-sqlite3 statements, run row by row in one
 * transaction while holding Kysely's connection (so no Kysely transaction interleaves). Through Kysely
 * a 500-row insert is compiled afresh each time (~8 µs a row) and a statement with hundreds of
 * parameters is prepared each time it differs in length; a prepared statement per row costs less
 * than either. Same SQL meaning as the Kysely paths in delivery-store.ts, which PostgreSQL and callers
 * inside a transaction use.
 */
export function createSqliteDeliveryPaths(db: Kysely<Database>, raw: BetterSqlite.Database, idFor: (d: NewDelivery) => string) {
  const insert = raw.prepare(`insert into deliveries (id, task_id, run_id, recipient, profile_id, phone, state, priority, due_at, trigger_at, cap_granted, attempts, queued_at, updated_at)
    values (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, 0, 0, ?, ?) on conflict (task_id, run_id, recipient) do nothing`);
  const byId = raw.prepare('select * from deliveries where id = ?');
  const claim = raw.prepare(`update deliveries set state = 'sending', sending_at = ?, updated_at = ?, attempts = attempts + 1, sent_by = ? where id = ? and state = 'queued'`);
  const accept = raw.prepare(`update deliveries set state = 'accepted', accepted_at = ?, updated_at = ?, wamid = ? where id = ? and state = 'sending'`);
  const inTransaction = <T>(f: () => T) => db.connection().execute(async () => raw.transaction(f)());
  return {
    /** Inserts the rows not there yet; returns the ids it inserted. */
    insertNew: (rows: NewDelivery[], now: number) => inTransaction(() => {
      const inserted = new Set<string>();
      for (const d of rows) {
        const id = idFor(d);
        if (insert.run(id, d.taskId, d.runId, d.recipient, d.profileId, d.phone, d.priority, d.dueAt, d.triggerAt ?? null, now, now).changes > 0) inserted.add(id);
      }
      return inserted;
    }),
    /** The rows of these ids (a read: one snapshot, no write). */
    load: (ids: string[]) => inTransaction(() => {
      const out: DeliveryRow[] = [];
      for (const id of ids) {
        const row = byId.get(id) as DeliveryRow | undefined;
        if (row) out.push(row);
      }
      return out;
    }),
    claim: (ids: string[], now: number, worker: string | null) => inTransaction(() => new Set(ids.filter((id) => claim.run(now, now, worker, id).changes > 0))),
    accept: (items: { id: string; wamid: string; at?: number }[], now: number) =>
      inTransaction(() => new Set(items.filter((x) => accept.run(x.at ?? now, now, x.wamid, x.id).changes > 0).map((x) => x.id))),
  };
}
