import type { Kysely } from 'kysely';
import { autoIdColumn } from './dialect';

// The WhatsApp channel area (issue 3). Same column conventions as 0001 on both dialects.
export async function up(db: Kysely<unknown>): Promise<void> {
  const autoId = autoIdColumn(db);
  await db.schema
    .createTable('whatsapp_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('waba_id', 'text', (c) => c.notNull())
    .addColumn('access_token_enc', 'text', (c) => c.notNull())
    .addColumn('app_secret_enc', 'text', (c) => c.notNull())
    .addColumn('verify_token_enc', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('paused_reason', 'text')
    .addColumn('paused_at', 'bigint')
    .addColumn('sandbox', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('whatsapp_phone_numbers')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('whatsapp_channels.id').onDelete('cascade'))
    .addColumn('phone_number_id', 'text', (c) => c.notNull())
    .addColumn('display_number', 'text', (c) => c.notNull())
    .addColumn('throughput', 'integer', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('whatsapp_phone_numbers_pk', ['channel_id', 'phone_number_id'])
    .execute();
  await db.schema
    .createTable('whatsapp_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('whatsapp_channels.id').onDelete('cascade'))
    .addColumn('meta_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('parameter_format', 'text')
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('rejected_reason', 'text')
    .addColumn('quality_score', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('synced_at', 'bigint')
    .addUniqueConstraint('whatsapp_templates_name_language', ['channel_id', 'name', 'language'])
    .execute();
  await db.schema
    .createTable('media_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_files_sha256').on('media_files').column('sha256').execute();
  await db.schema
    .createTable('media_uploads')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('whatsapp_channels.id').onDelete('cascade'))
    .addColumn('phone_number_id', 'text', (c) => c.notNull())
    .addColumn('meta_media_id', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_uploads_pk', ['sha256', 'channel_id', 'phone_number_id'])
    .execute();
  await db.schema
    .createTable('webhook_inbox')
    .addColumn('id', autoId.type, autoId.build)
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_at', 'bigint')
    .addColumn('processed_at', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  // The drain asks for the oldest claimable rows: pending ones by id, and processing ones whose claim expired.
  await db.schema.createIndex('webhook_inbox_state_id').on('webhook_inbox').columns(['state', 'id']).execute();
  await db.schema
    .createTable('service_windows')
    .addColumn('phone', 'text', (c) => c.primaryKey())
    .addColumn('last_inbound_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('test_sends')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('phone_number_id', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('wamid', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_title', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('read_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .execute();
  await db.schema.createIndex('test_sends_wamid').on('test_sends').column('wamid').execute();
  await db.schema.createIndex('test_sends_created').on('test_sends').columns(['created_at', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('wareach migrations are forward-only');
}
