import { sql, type Kysely } from 'kysely';

/**
 * The last two full indexes on deliveries become one partial index. A delivery is inserted and then
 * changes state four times (sending, accepted, delivered, read); on PostgreSQL no such update is HOT,
 * so each writes a new entry into every index whose predicate the row satisfies. `(run_id, state)` and
 * `(task_id, state, reason)` held every row: 10 of the ~29 index entries a delivery wrote over its life
 * went to them.
 *
 * What asked them:
 * - the run-completion check and a task's queued rows want only open rows (queued or sending): they
 *   read `deliveries_open`, which a delivery leaves once accepted, failed or skipped;
 * - a task's or a run's analytics and the deliveries listing read the unique (task, run, recipient)
 *   key, whose prefix is the task (a run's task is looked up first).
 *
 * The predicate is written as the queries write it (`OPEN_STATES` in delivery-store.ts): SQLite uses a
 * partial index only when the query carries the same term.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const name of ['deliveries_run_state', 'deliveries_task_state']) await db.schema.dropIndex(name).execute();
  await sql`create index deliveries_open on deliveries (task_id, run_id, state) where state in ('queued', 'sending')`.execute(db);
}
