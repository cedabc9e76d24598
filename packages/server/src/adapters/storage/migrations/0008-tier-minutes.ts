import { sql, type Kysely } from 'kysely';

/**
 * A channel's messaging-tier contacts counted per minute of their last message. Reserving tier slots
 * counted every contact of the rolling 24 hours for each dispatch batch (100,000 rows a batch for a
 * channel at the 100K tier); it now reads at most 1,440 minute counts and the contacts of the one
 * minute the window's edge falls in (`cap-store.ts`). Filled from the contacts already recorded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tier_minutes')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('minute', 'bigint', (c) => c.notNull())
    .addColumn('contacts', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('tier_minutes_pk', ['channel_id', 'minute'])
    .execute();
  await sql`insert into tier_minutes (channel_id, minute, contacts)
    select channel_id, last_at / 60000, count(*) from tier_contacts group by channel_id, last_at / 60000`.execute(db);
}
