import type { Insertable, Kysely, Selectable } from 'kysely';
import type { MediaFilesTable } from './schema/channels';
import type { Database } from './schema/index';

export type MediaFileRow = Selectable<MediaFilesTable>;

/** Uploaded local files (content lives on disk by hash) and their Meta media ids per (hash, channel, number). */
export function createMediaStore(db: Kysely<Database>) {
  return {
    async insertFile(row: Insertable<MediaFilesTable>): Promise<void> {
      await db.insertInto('media_files').values(row).execute();
    },

    async getFile(id: string): Promise<MediaFileRow | undefined> {
      const r = await db.selectFrom('media_files').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? { ...r, size: Number(r.size) } : undefined;
    },

    /** The earliest record of the same bytes and type, so uploading a file twice gives one id. */
    async findFile(sha256: string, mimeType: string): Promise<MediaFileRow | undefined> {
      const r = await db.selectFrom('media_files').selectAll().where('sha256', '=', sha256).where('mime_type', '=', mimeType).orderBy('created_at').executeTakeFirst();
      return r ? { ...r, size: Number(r.size) } : undefined;
    },

    async findUpload(sha256: string, channelId: string, phoneNumberId: string): Promise<{ metaMediaId: string; uploadedAt: number; expiresAt: number } | undefined> {
      const r = await db
        .selectFrom('media_uploads')
        .select(['meta_media_id', 'uploaded_at', 'expires_at'])
        .where('sha256', '=', sha256)
        .where('channel_id', '=', channelId)
        .where('phone_number_id', '=', phoneNumberId)
        .executeTakeFirst();
      return r ? { metaMediaId: r.meta_media_id, uploadedAt: r.uploaded_at, expiresAt: r.expires_at } : undefined;
    },

    async saveUpload(u: { sha256: string; channelId: string; phoneNumberId: string; metaMediaId: string; uploadedAt: number; expiresAt: number }): Promise<void> {
      const values = { sha256: u.sha256, channel_id: u.channelId, phone_number_id: u.phoneNumberId, meta_media_id: u.metaMediaId, uploaded_at: u.uploadedAt, expires_at: u.expiresAt };
      await db
        .insertInto('media_uploads')
        .values(values)
        .onConflict((oc) => oc.columns(['sha256', 'channel_id', 'phone_number_id']).doUpdateSet({ meta_media_id: u.metaMediaId, uploaded_at: u.uploadedAt, expires_at: u.expiresAt }))
        .execute();
    },
  };
}
export type MediaStore = ReturnType<typeof createMediaStore>;
