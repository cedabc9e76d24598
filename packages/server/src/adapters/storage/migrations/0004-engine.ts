import type { Kysely } from 'kysely';
import { autoIdColumn } from './dialect';

/** The execution engine's tables (schema/engine.ts explains each). */
export async function up(db: Kysely<unknown>): Promise<void> {
  const autoId = autoIdColumn(db);
  await db.schema
    .createTable('queue_jobs')
    .addColumn('id', autoId.type, autoId.build)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('job_key', 'text', (c) => c.unique())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('dead', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('queue_jobs_ready').on('queue_jobs').columns(['dead', 'name', 'run_at']).execute();

  await db.schema
    .createTable('timers')
    .addColumn('id', autoId.type, autoId.build)
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('job_name', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('timers_due').on('timers').column('due_at').execute();
  await db.schema.createIndex('timers_task').on('timers').column('task_id').execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('occurrence_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('audience_size', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('paced', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('runs_task').on('runs').columns(['task_id', 'occurrence_at']).execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text')
    .addColumn('phone', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('trigger_at', 'bigint')
    .addColumn('cap_granted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('wamid', 'text')
    .addColumn('error_code', 'integer')
    .addColumn('error_title', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('sending_at', 'bigint')
    .addColumn('accepted_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('read_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('skipped_at', 'bigint')
    .addColumn('replied_at', 'bigint')
    .addColumn('clicked_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('deliveries_task_run_recipient', ['task_id', 'run_id', 'recipient'])
    .execute();
  await db.schema.createIndex('deliveries_wamid').on('deliveries').column('wamid').execute();
  await db.schema.createIndex('deliveries_run_state').on('deliveries').columns(['run_id', 'state']).execute();
  await db.schema.createIndex('deliveries_task_state').on('deliveries').columns(['task_id', 'state', 'reason']).execute();
  await db.schema.createIndex('deliveries_profile').on('deliveries').columns(['profile_id', 'state', 'due_at']).execute();
  await db.schema.createIndex('deliveries_phone').on('deliveries').columns(['phone', 'error_code']).execute();
  await db.schema.createIndex('deliveries_state_due').on('deliveries').columns(['state', 'due_at']).execute();

  await db.schema
    .createTable('delivery_interactions')
    .addColumn('inbound_id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('button', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_interactions_task').on('delivery_interactions').columns(['task_id', 'kind']).execute();

  await db.schema
    .createTable('unmatched_statuses')
    .addColumn('id', autoId.type, autoId.build)
    .addColumn('wamid', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('error_code', 'integer')
    .addColumn('error_title', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('unmatched_statuses_wamid').on('unmatched_statuses').column('wamid').execute();

  await db.schema
    .createTable('cap_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema
    .createTable('tier_contacts')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tier_contacts_pk', ['channel_id', 'phone'])
    .execute();
  await db.schema.createIndex('tier_contacts_at').on('tier_contacts').columns(['channel_id', 'last_at']).execute();
  await db.schema
    .createTable('trigger_counters')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('trigger_counters_pk', ['task_id', 'profile_id'])
    .execute();
  await db.schema
    .createTable('engine_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
