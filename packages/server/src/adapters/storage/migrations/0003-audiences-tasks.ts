import type { Kysely } from 'kysely';
import { autoIdColumn } from './dialect';

/** Segments, segment members and tasks (issue 4). */
export async function up(db: Kysely<unknown>): Promise<void> {
  const autoId = autoIdColumn(db);
  await db.schema
    .createTable('segments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('rule', 'text')
    .addColumn('subject_type', 'text', (c) => c.notNull().defaultTo('user'))
    .addColumn('refresh_mode', 'text', (c) => c.notNull())
    .addColumn('refresh_time', 'text')
    .addColumn('visible_in_list', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('authorised_role_ids', 'text')
    .addColumn('created_by', 'text')
    .addColumn('owning_task_id', 'text')
    .addColumn('members_key', 'text', (c) => c.notNull())
    .addColumn('member_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('send_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('refreshed_at', 'bigint')
    .addColumn('last_refresh_error', 'text')
    .addColumn('last_refresh_error_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('segments_owning_task').on('segments').column('owning_task_id').execute();
  await db.schema.createIndex('segments_refresh').on('segments').columns(['refresh_mode', 'refreshed_at']).execute();

  // segment_members.segment_id holds a member-set key; segments.members_key names the current set. A
  // refresh or an upload writes a new set and switches the key in one short transaction (no rewrite of
  // a million rows), and the old set is deleted afterwards.
  await db.schema
    .createTable('segment_members')
    .addColumn('id', autoId.type, autoId.build)
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text')
    .addColumn('phone', 'text')
    .execute();
  // (segment_id, id): keyset paging of a set; (segment_id, profile_id): "is this profile a member" and
  // rules that test membership; unique phone per set: CSV de-duplication on insert (NULL phones —
  // profiles without WhatsApp — are distinct, so they never collide).
  await db.schema.createIndex('segment_members_page').on('segment_members').columns(['segment_id', 'id']).execute();
  await db.schema.createIndex('segment_members_profile').on('segment_members').columns(['segment_id', 'profile_id']).execute();
  await db.schema.createIndex('segment_members_phone').on('segment_members').columns(['segment_id', 'phone']).unique().execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('trigger_type', 'text')
    .addColumn('group_id', 'text')
    .addColumn('activity_id', 'text')
    .addColumn('subject_type', 'text', (c) => c.notNull().defaultTo('user'))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('audience_segment_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('submitted_by', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('paused_policy', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('approved_at', 'bigint')
    .addColumn('state_changed_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('tasks_state').on('tasks').columns(['state', 'trigger_type']).execute();
  await db.schema.createIndex('tasks_group').on('tasks').column('group_id').execute();
  await db.schema.createIndex('tasks_activity').on('tasks').column('activity_id').execute();
  await db.schema.createIndex('tasks_updated').on('tasks').column('updated_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('wareach migrations are forward-only');
}
