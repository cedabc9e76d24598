import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema/index';

export interface StoredProfile {
  id: string;
  subjectType: string;
  timezone: string | null;
  identities: { type: string; value: string }[];
  attributes: Record<string, string | number | boolean | string[]>;
  tags: Record<string, string | number | boolean>;
  createdAt: string;
  updatedAt: string;
}

function decodeValue(type: string, text: string | null, num: number | null): string | number | boolean {
  if (type === 'number') return num ?? 0;
  if (type === 'boolean') return num === 1;
  return text ?? '';
}

/** Ids a statement of `loadProfiles` binds (SQLite allows 32,766 parameters, PostgreSQL 65,535). */
const LOAD_CHUNK = 500;

/**
 * Profiles by id, four statements for the lot (not four a profile): the dispatcher personalises a
 * batch of messages at once. Ids not found are absent from the map.
 */
export async function loadProfiles(trx: Kysely<Database> | Transaction<Database>, ids: readonly string[]): Promise<Map<string, StoredProfile>> {
  const out = new Map<string, StoredProfile>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += LOAD_CHUNK) {
    const chunk = unique.slice(i, i + LOAD_CHUNK);
    const [rows, idents, attrs, tags] = await Promise.all([
      trx.selectFrom('profiles').selectAll().where('id', 'in', chunk).execute(),
      trx.selectFrom('identities').select(['profile_id', 'type', 'value']).where('profile_id', 'in', chunk).orderBy('profile_id').orderBy('type').execute(),
      trx.selectFrom('profile_attributes').selectAll().where('profile_id', 'in', chunk).orderBy('profile_id').orderBy('name').orderBy('idx').execute(),
      trx.selectFrom('profile_tags').selectAll().where('profile_id', 'in', chunk).orderBy('profile_id').orderBy('name').execute(),
    ]);
    for (const row of rows) {
      out.set(row.id, {
        id: row.id,
        subjectType: row.subject_type,
        timezone: row.timezone,
        identities: [],
        attributes: {},
        tags: {},
        createdAt: new Date(row.created_at).toISOString(),
        updatedAt: new Date(row.updated_at).toISOString(),
      });
    }
    for (const x of idents) out.get(x.profile_id)?.identities.push({ type: x.type, value: x.value });
    for (const a of attrs) {
      const attributes = out.get(a.profile_id)?.attributes;
      if (!attributes) continue;
      if (a.type === 'string_list') ((attributes[a.name] ??= []) as string[]).push(a.v_text ?? '');
      else attributes[a.name] = decodeValue(a.type, a.v_text, a.v_num);
    }
    for (const t of tags) {
      const p = out.get(t.profile_id);
      if (p) p.tags[t.name] = decodeValue(t.type, t.v_text, t.v_num);
    }
  }
  return out;
}
