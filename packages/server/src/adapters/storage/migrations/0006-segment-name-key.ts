import { sql, type Kysely } from 'kysely';
import { nameKey } from '@wareach/core';

/**
 * Segment names become unique ignoring case and surrounding blanks, as task names are: a `name_key`
 * column (core `nameKey`) under a unique index. Existing names that clash under the new rule keep the
 * oldest as it is and get the segment ID appended, so the migration never fails on old data.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('segments').addColumn('name_key', 'text').execute();
  const rows = (await sql<{ id: string; name: string }>`select id, name from segments order by created_at, id`.execute(db)).rows;
  const seen = new Set<string>();
  for (const r of rows) {
    let name = r.name;
    if (seen.has(nameKey(name))) name = `${name}-${r.id}`;
    seen.add(nameKey(name));
    await sql`update segments set name = ${name}, name_key = ${nameKey(name)} where id = ${r.id}`.execute(db);
  }
  await db.schema.createIndex('segments_name_key').on('segments').column('name_key').unique().execute();
}
