import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { WhatsappChannelsTable, WhatsappPhoneNumbersTable } from './schema/channels';
import type { Database } from './schema/index';

export type ChannelRow = Selectable<WhatsappChannelsTable>;
export type PhoneNumberRow = Omit<Selectable<WhatsappPhoneNumbersTable>, 'channel_id' | 'position'>;
export interface StoredChannel extends ChannelRow {
  phoneNumbers: PhoneNumberRow[];
}

/** Channels and their phone numbers. Secrets arrive here already sealed; this module never sees them in clear. */
export function createChannelStore(db: Kysely<Database>) {
  async function phonesOf(ids: string[]): Promise<Map<string, PhoneNumberRow[]>> {
    const out = new Map<string, PhoneNumberRow[]>();
    if (!ids.length) return out;
    const rows = await db.selectFrom('whatsapp_phone_numbers').selectAll().where('channel_id', 'in', ids).orderBy('channel_id').orderBy('position').execute();
    for (const r of rows) {
      const list = out.get(r.channel_id) ?? [];
      list.push({ phone_number_id: r.phone_number_id, display_number: r.display_number, throughput: Number(r.throughput), tier: r.tier });
      out.set(r.channel_id, list);
    }
    return out;
  }

  const withPhones = async (rows: ChannelRow[]): Promise<StoredChannel[]> => {
    const phones = await phonesOf(rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, phoneNumbers: phones.get(r.id) ?? [] }));
  };

  const phoneRows = (channelId: string, phones: PhoneNumberRow[]): Insertable<WhatsappPhoneNumbersTable>[] =>
    phones.map((p, position) => ({ channel_id: channelId, position, ...p }));

  return {
    async insert(row: Insertable<WhatsappChannelsTable>, phones: PhoneNumberRow[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('whatsapp_channels').values(row).execute();
        if (phones.length) await trx.insertInto('whatsapp_phone_numbers').values(phoneRows(row.id, phones)).execute();
      });
    },

    /** Updates the channel row and, when given, replaces its phone numbers, in one transaction. */
    async update(id: string, patch: Updateable<WhatsappChannelsTable>, phones?: PhoneNumberRow[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        if (Object.keys(patch).length) await trx.updateTable('whatsapp_channels').set(patch).where('id', '=', id).execute();
        if (phones) {
          await trx.deleteFrom('whatsapp_phone_numbers').where('channel_id', '=', id).execute();
          if (phones.length) await trx.insertInto('whatsapp_phone_numbers').values(phoneRows(id, phones)).execute();
        }
      });
    },

    async get(id: string): Promise<StoredChannel | undefined> {
      const row = await db.selectFrom('whatsapp_channels').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? (await withPhones([row]))[0] : undefined;
    },

    async list(): Promise<StoredChannel[]> {
      return withPhones(await db.selectFrom('whatsapp_channels').selectAll().orderBy('created_at').orderBy('id').execute());
    },

    async findSandbox(): Promise<StoredChannel | undefined> {
      const row = await db.selectFrom('whatsapp_channels').selectAll().where('sandbox', '=', 1).orderBy('created_at').executeTakeFirst();
      return row ? (await withPhones([row]))[0] : undefined;
    },

    /** Pauses an active channel; returns false when it was already paused (the first reason is kept). */
    async pause(id: string, reason: string, at: number): Promise<boolean> {
      const r = await db
        .updateTable('whatsapp_channels')
        .set({ status: 'paused', paused_reason: reason, paused_at: at, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
export type ChannelStore = ReturnType<typeof createChannelStore>;
