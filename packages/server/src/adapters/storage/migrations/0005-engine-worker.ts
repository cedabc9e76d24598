import { sql, type Kysely } from 'kysely';

/**
 * 1. `sent_by`: which worker process (`host:pid`) claimed each delivery, so scale-out is observable per
 *    worker and a delivery stuck in `sending` can be tied to the process that died holding it.
 * 2. Narrower indexes on deliveries. A delivery changes state two or three times (queued → sending →
 *    accepted → …) and on PostgreSQL every such update writes a new entry into every index whose
 *    predicate the row satisfies, so each look-up gets a partial index covering only the rows it can
 *    want: due queued rows (caps candidates, the sweep), claimed rows (reconciliation), 131049 failures
 *    (the marketing hold), rows with a wamid (statuses), reached rows (exclusion). Queries that use them
 *    spell the predicate's state or code as a literal so both SQLite and PostgreSQL match the index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('sent_by', 'text').execute();
  for (const name of ['deliveries_wamid', 'deliveries_profile', 'deliveries_phone', 'deliveries_state_due']) await db.schema.dropIndex(name).execute();
  await db.schema.createIndex('deliveries_wamid').on('deliveries').column('wamid').where(sql.ref('wamid'), 'is not', null).execute();
  await db.schema.createIndex('deliveries_queued_profile').on('deliveries').columns(['profile_id', 'due_at']).where(sql.ref('state'), '=', sql.lit('queued')).execute();
  await db.schema.createIndex('deliveries_queued_due').on('deliveries').columns(['due_at']).where(sql.ref('state'), '=', sql.lit('queued')).execute();
  await db.schema.createIndex('deliveries_sending').on('deliveries').columns(['sending_at']).where(sql.ref('state'), '=', sql.lit('sending')).execute();
  await db.schema.createIndex('deliveries_marketing_hold').on('deliveries').columns(['phone', 'failed_at']).where(sql.ref('error_code'), '=', sql.lit(131049)).execute();
  await db.schema.createIndex('deliveries_reached').on('deliveries').columns(['profile_id', 'task_id', 'accepted_at']).where(sql.ref('accepted_at'), 'is not', null).execute();
}
