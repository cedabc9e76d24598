import type { Insertable, Kysely, Selectable } from 'kysely';
import type { WhatsappTemplatesTable } from './schema/channels';
import type { Database } from './schema/index';

export type TemplateRow = Selectable<WhatsappTemplatesTable>;

export interface TemplateQuery {
  channelId?: string;
  status?: string;
  /** Matches the name or the language, case-insensitive. */
  q?: string;
  limit: number;
  offset: number;
}

/** Synced and created WhatsApp templates, one row per (channel, name, language). */
export function createTemplateStore(db: Kysely<Database>) {
  return {
    /** Inserts or updates by (channel, name, language); `created_at` and `id` of an existing row are kept. */
    async upsert(rows: Insertable<WhatsappTemplatesTable>[]): Promise<void> {
      if (!rows.length) return;
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 200) {
          await trx
            .insertInto('whatsapp_templates')
            .values(rows.slice(i, i + 200))
            .onConflict((oc) =>
              oc.columns(['channel_id', 'name', 'language']).doUpdateSet((eb) => ({
                meta_id: eb.ref('excluded.meta_id'),
                status: eb.ref('excluded.status'),
                category: eb.ref('excluded.category'),
                parameter_format: eb.ref('excluded.parameter_format'),
                components: eb.ref('excluded.components'),
                rejected_reason: eb.ref('excluded.rejected_reason'),
                quality_score: eb.ref('excluded.quality_score'),
                updated_at: eb.ref('excluded.updated_at'),
                synced_at: eb.ref('excluded.synced_at'),
              })),
            )
            .execute();
        }
      });
    },

    /** Marks templates that a full sync no longer returned (deleted at Meta) as DELETED; returns how many. */
    async markMissingDeleted(channelId: string, keep: { name: string; language: string }[], at: number): Promise<number> {
      const existing = await db.selectFrom('whatsapp_templates').select(['id', 'name', 'language', 'status']).where('channel_id', '=', channelId).execute();
      const keepSet = new Set(keep.map((k) => `${k.name}\u0000${k.language}`));
      const gone = existing.filter((r) => r.status !== 'DELETED' && !keepSet.has(`${r.name}\u0000${r.language}`)).map((r) => r.id);
      for (let i = 0; i < gone.length; i += 500) {
        await db.updateTable('whatsapp_templates').set({ status: 'DELETED', updated_at: at, synced_at: at }).where('id', 'in', gone.slice(i, i + 500)).execute();
      }
      return gone.length;
    },

    /** A status change from the `message_template_status_update` webhook. */
    async setStatus(channelId: string, match: { metaId?: string; name?: string; language?: string }, status: string, reason: string | null, at: number): Promise<number> {
      let q = db.updateTable('whatsapp_templates').set({ status, rejected_reason: reason, updated_at: at }).where('channel_id', '=', channelId);
      if (match.metaId) q = q.where('meta_id', '=', match.metaId);
      else if (match.name && match.language) q = q.where('name', '=', match.name).where('language', '=', match.language);
      else return 0;
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async get(id: string): Promise<TemplateRow | undefined> {
      return db.selectFrom('whatsapp_templates').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async find(channelId: string, name: string, language: string): Promise<TemplateRow | undefined> {
      return db.selectFrom('whatsapp_templates').selectAll().where('channel_id', '=', channelId).where('name', '=', name).where('language', '=', language).executeTakeFirst();
    },

    async list(q: TemplateQuery): Promise<{ items: TemplateRow[]; total: number }> {
      let base = db.selectFrom('whatsapp_templates');
      if (q.channelId) base = base.where('channel_id', '=', q.channelId);
      if (q.status) base = base.where('status', '=', q.status.toUpperCase());
      if (q.q) {
        // `%` and `_` typed by the caller act as wildcards: harmless in a search box, and portable (SQLite
        // has no default LIKE escape character).
        const like = `%${q.q.toLowerCase()}%`;
        base = base.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', like), eb(eb.fn('lower', ['language']), 'like', like)]));
      }
      const [items, count] = await Promise.all([
        base.selectAll().orderBy('name').orderBy('language').orderBy('channel_id').limit(q.limit).offset(q.offset).execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items, total: Number(count.n) };
    },
  };
}
export type TemplateStore = ReturnType<typeof createTemplateStore>;
