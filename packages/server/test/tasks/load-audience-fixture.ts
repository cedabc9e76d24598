import type { Kysely } from 'kysely';
import { typeValue, type AudienceFixture, type ProfileValue } from '@wareach/core';
import type { Database } from '../../src/adapters/storage/schema/index';

type Row = { profile_id: string; name: string; idx: number; type: string; v_text: string | null; v_num: number | null };

/** The rows the profile store would write for one value (one per list element; nothing for null or []). */
function valueRows(profileId: string, name: string, value: ProfileValue): Row[] {
  if (value === null || value === undefined) return [];
  const t = typeValue(Array.isArray(value) ? [...value] : (value as string | number | boolean));
  if (typeof t === 'string') throw new Error(`fixture value ${name}=${String(value)}: ${t}`);
  if (t.type === 'string_list') return (t.value as string[]).map((s, idx) => ({ profile_id: profileId, name, idx, type: t.type, v_text: s, v_num: null }));
  return [{ profile_id: profileId, name, idx: 0, type: t.type, v_text: t.type === 'number' ? null : String(t.value), v_num: t.num }];
}

async function insertChunks<T>(rows: T[], size: number, write: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

/**
 * Loads a core audience fixture into a migrated database with the storage model of the profile and
 * event stores, plus the fixture's stored segments (ids seg_a…) as segments with members.
 */
export async function loadAudienceFixture(db: Kysely<Database>, fx: AudienceFixture): Promise<void> {
  const now = fx.now;
  const profiles = fx.users.map((u) => ({ id: u.oneId, subject_type: 'user', timezone: u.timezone ?? null, created_at: now, updated_at: now }));
  const identities = fx.users.flatMap((u) => u.identities.map((i) => ({ type: i.type, value: i.value, profile_id: u.oneId })));
  const attributes = fx.users.flatMap((u) => Object.entries(u.attributes).flatMap(([n, v]) => valueRows(u.oneId, n, v)));
  const tags = fx.users.flatMap((u) => Object.entries(u.tags).flatMap(([n, v]) => valueRows(u.oneId, n, v)).map(({ idx: _idx, ...r }) => r));
  const events = fx.events.map((e) => ({ profile_id: e.oneId, name: e.name, at: e.at, properties: JSON.stringify(e.properties), message_id: null, received_at: now }));
  await insertChunks(profiles, 500, (c) => db.insertInto('profiles').values(c).execute());
  await insertChunks(identities, 500, (c) => db.insertInto('identities').values(c).execute());
  await insertChunks(attributes, 500, (c) => db.insertInto('profile_attributes').values(c).execute());
  await insertChunks(tags, 500, (c) => db.insertInto('profile_tags').values(c).execute());
  await insertChunks(events, 500, (c) => db.insertInto('events').values(c).execute());
  for (const s of fx.segments) {
    await db.insertInto('segments').values({
      id: s.segmentId, name: s.segmentId, kind: 'list', rule: null, subject_type: 'user', refresh_mode: 'on_demand', refresh_time: null,
      visible_in_list: 1, authorised_role_ids: null, created_by: null, owning_task_id: null, members_key: `~fx${s.segmentId}`, member_count: s.members.length, send_count: 0,
      refreshed_at: now, last_refresh_error: null, last_refresh_error_at: null, created_at: now, updated_at: now,
    }).execute();
    await insertChunks(s.members, 500, (c) => db.insertInto('segment_members').values(c.map((m) => ({ segment_id: `~fx${s.segmentId}`, profile_id: m, phone: null }))).execute());
  }
}
