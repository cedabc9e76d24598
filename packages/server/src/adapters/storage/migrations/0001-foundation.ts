import { sql, type Kysely } from 'kysely';
import { autoIdColumn } from './dialect';

// Types used by every migration so SQLite and PostgreSQL get the same shape: times are bigint epoch ms,
// booleans 0/1 integers, JSON text.
export async function up(db: Kysely<unknown>): Promise<void> {
  const autoId = autoIdColumn(db);
  await db.schema
    .createTable('roles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('members')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema
    .createTable('audit_log')
    .addColumn('id', autoId.type, autoId.build)
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity_type', 'entity_id', 'at']).execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) => c.notNull().defaultTo('user'))
    .addColumn('timezone', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('identities')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('identities_pk', ['type', 'value'])
    .execute();
  await db.schema.createIndex('identities_profile').on('identities').columns(['profile_id', 'type']).execute();
  await db.schema
    .createTable('profile_attributes')
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('v_text', 'text')
    .addColumn('v_num', sql`double precision`)
    .addPrimaryKeyConstraint('profile_attributes_pk', ['profile_id', 'name', 'idx'])
    .execute();
  await db.schema.createIndex('profile_attributes_text').on('profile_attributes').columns(['name', 'v_text']).execute();
  await db.schema.createIndex('profile_attributes_num').on('profile_attributes').columns(['name', 'v_num']).execute();
  await db.schema
    .createTable('profile_tags')
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('v_text', 'text')
    .addColumn('v_num', sql`double precision`)
    .addPrimaryKeyConstraint('profile_tags_pk', ['profile_id', 'name'])
    .execute();
  await db.schema.createIndex('profile_tags_text').on('profile_tags').columns(['name', 'v_text']).execute();
  await db.schema.createIndex('profile_tags_num').on('profile_tags').columns(['name', 'v_num']).execute();
  await db.schema
    .createTable('events')
    .addColumn('id', autoId.type, autoId.build)
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.unique())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  // (name, at, profile_id) serves "did E in range" counts; (profile_id, name, at) serves a profile's timeline.
  await db.schema.createIndex('events_name_at').on('events').columns(['name', 'at', 'profile_id']).execute();
  await db.schema.createIndex('events_profile').on('events').columns(['profile_id', 'at']).execute();
  await db.schema
    .createTable('catalogue_events')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('catalogue_event_properties')
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('property', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalogue_event_properties_pk', ['event_name', 'property', 'type'])
    .execute();
  await db.schema
    .createTable('catalogue_attributes')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalogue_attributes_pk', ['name', 'type'])
    .execute();
  await db.schema
    .createTable('catalogue_tags')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalogue_tags_pk', ['name', 'type'])
    .execute();
  await db.schema
    .createTable('task_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('activities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('starts_at', 'bigint')
    .addColumn('ends_at', 'bigint')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('wareach migrations are forward-only');
}
