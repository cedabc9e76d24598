import type { Kysely } from 'kysely';

/**
 * Which worker process claimed each delivery (`host:pid`): scale-out is observable per worker, and an
 * operator can tie a delivery stuck in `sending` to the process that died holding it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('sent_by', 'text').execute();
}
