import type BetterSqlite from 'better-sqlite3';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database';

export interface StagedRow {
  phone: string;
  profileId: string | null;
}

/**
 * The storage side of CSV uploads. Rows are written into a new member set (see segment-store.ts) as
 * they stream in; the unique (set, phone) index merges duplicates on insert, so memory stays flat
 * whatever the file size. The segment store's `switchSet` makes the set current at the end; until
 * then readers see the old members.
 *
 * Bulk paths as in the event store: better-sqlite3 prepared statements (holding Kysely's connection so
 * no Kysely transaction interleaves), unnest() arrays on PostgreSQL.
 */
export function createCsvStore(handle: DatabaseHandle) {
  const db = handle.db;

  let insertSqlite: BetterSqlite.Statement | undefined;
  async function stageSqlite(key: string, rows: StagedRow[]): Promise<number> {
    const s = handle.sqlite!;
    return db.connection().execute(async () => {
      const insert = (insertSqlite ??= s.prepare('INSERT INTO segment_members (segment_id, profile_id, phone) VALUES (?, ?, ?) ON CONFLICT (segment_id, phone) DO NOTHING'));
      return s.transaction(() => {
        let inserted = 0;
        for (const r of rows) inserted += insert.run(key, r.profileId, r.phone).changes;
        return inserted;
      })();
    });
  }

  async function stagePostgres(key: string, rows: StagedRow[]): Promise<number> {
    const r = await sql`
      INSERT INTO segment_members (segment_id, profile_id, phone)
      SELECT ${key}, p, ph FROM unnest(${rows.map((x) => x.phone)}::text[], ${rows.map((x) => x.profileId)}::text[]) WITH ORDINALITY AS t(ph, p, ord)
      ORDER BY ord
      ON CONFLICT (segment_id, phone) DO NOTHING`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  }

  const inList = (column: string, values: string[]) =>
    handle.dialect === 'sqlite' ? sql`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))` : sql`${sql.ref(column)} = ANY(${values}::text[])`;

  return {
    /** Stages rows; returns how many were new (the others repeat a phone already staged). */
    stage(key: string, rows: StagedRow[]): Promise<number> {
      if (rows.length === 0) return Promise.resolve(0);
      return handle.dialect === 'sqlite' ? stageSqlite(key, rows) : stagePostgres(key, rows);
    },

    /** The profile owning each WhatsApp number that has one. */
    async profilesByPhone(phones: string[]): Promise<Map<string, string>> {
      if (phones.length === 0) return new Map();
      const r = await sql<{ value: string; profile_id: string }>`SELECT value, profile_id FROM identities WHERE type = 'whatsapp' AND ${inList('value', phones)}`.execute(db);
      return new Map(r.rows.map((x) => [x.value, x.profile_id]));
    },

    /** Which of these one-IDs exist. */
    async existingProfiles(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const r = await sql<{ id: string }>`SELECT id FROM profiles WHERE ${inList('id', ids)}`.execute(db);
      return new Set(r.rows.map((x) => x.id));
    },
  };
}
export type CsvStore = ReturnType<typeof createCsvStore>;
