import { sql, type Kysely, type Transaction } from 'kysely';
import { nameKey } from '@wareach/core';
import type { DatabaseHandle } from './database';
import type { Database } from './schema/index';
import type { SegmentsTable } from './schema/tasks';
import { insertAudienceMembers, type AudienceSpec } from './audience/audience-query';

type Db = Kysely<Database> | Transaction<Database>;
/** `name_key` is the store's business: written from `name` on every insert and rename. */
export type SegmentRow = Omit<SegmentsTable, 'name_key'>;
export type SegmentPatch = Partial<Omit<SegmentsTable, 'id' | 'created_at' | 'created_by' | 'members_key' | 'name_key'>>;

export interface MemberRow {
  id: number;
  profileId: string | null;
  phone: string | null;
}

export interface MemberCounts {
  members: number;
  phones: number;
  profiles: number;
}

/**
 * A new member-set key: `~`, the time in base 36 (fixed width, so keys sort by age and leftovers of a
 * crash can be swept by age), and a few characters of `unique`. Short on purpose: it is repeated in
 * every index entry of every member.
 */
export function memberSetKey(now: number, unique: string): string {
  return `~${now.toString(36).padStart(9, '0')}${unique.replace(/[^0-9a-z]/gi, '').slice(-6)}`;
}
const keyBefore = (time: number) => `~${time.toString(36).padStart(9, '0')}`;

const DELETE_CHUNK = 20_000;

/**
 * Segments and their member sets. Members are never rewritten in place: a refresh or an upload writes a
 * new set under a new key, then one short transaction points the segment at it, so a reader sees the
 * old or the new members, never a mix; a failed refresh leaves the old set current. Replaced sets are
 * deleted afterwards in chunks (see `dropSet`), and sets left by a crash are swept by age.
 */
export function createSegmentStore(handle: DatabaseHandle) {
  const db = handle.db;

  async function counts(trx: Db, key: string): Promise<MemberCounts> {
    const r = await trx
      .selectFrom('segment_members')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('phone').as('phones'), eb.fn.count<number>('profile_id').as('profiles')])
      .where('segment_id', '=', key)
      .executeTakeFirstOrThrow();
    return { members: Number(r.n), phones: Number(r.phones), profiles: Number(r.profiles) };
  }

  /** Deletes a member set in chunks, so a large one does not hold the (SQLite) writer for long. */
  async function dropSet(key: string): Promise<void> {
    for (;;) {
      const r = await sql`DELETE FROM segment_members WHERE id IN (SELECT id FROM segment_members WHERE segment_id = ${key} LIMIT ${DELETE_CHUNK})`.execute(db);
      if (Number(r.numAffectedRows ?? 0) < DELETE_CHUNK) return;
    }
  }

  /**
   * Makes `key` the segment's current set when the segment still points at `expected` (so two racing
   * replacements cannot both win), recording counts and time; then drops the replaced set without
   * waiting for it. Returns the counts, or undefined when the segment changed meanwhile.
   */
  async function switchSet(segmentId: string, expected: string, key: string, now: number, extra: SegmentPatch = {}): Promise<MemberCounts | undefined> {
    const c = await counts(db, key);
    const r = await db
      .updateTable('segments')
      .set({ ...extra, members_key: key, member_count: c.members, send_count: c.phones, refreshed_at: now, last_refresh_error: null, last_refresh_error_at: null, updated_at: now })
      .where('id', '=', segmentId)
      .where('members_key', '=', expected)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      await dropSet(key);
      return undefined;
    }
    // Readers that already resolved the old key finish on it; later ones read the new set.
    void dropSet(expected).catch(() => undefined);
    return c;
  }

  return {
    get: (id: string) => db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst(),
    getMany: (ids: string[]) => (ids.length ? db.selectFrom('segments').selectAll().where('id', 'in', ids).execute() : Promise.resolve([])),
    /** The key of the segment's current members: it changes whenever they are replaced. */
    currentKey: async (id: string) => (await db.selectFrom('segments').select('members_key').where('id', '=', id).executeTakeFirst())?.members_key ?? null,
    /** Every segment, newest first; visibility and role authorisation are the service's filter. */
    list: () => db.selectFrom('segments').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').execute(),
    byOwningTask: (taskId: string) => db.selectFrom('segments').selectAll().where('owning_task_id', '=', taskId).execute(),
    nameTaken: async (name: string, exceptId?: string) => {
      let q = db.selectFrom('segments').select('id').where('name_key', '=', nameKey(name));
      if (exceptId) q = q.where('id', '!=', exceptId);
      return (await q.executeTakeFirst()) !== undefined;
    },
    insert: (row: SegmentRow) => db.insertInto('segments').values({ ...row, name_key: nameKey(row.name) }).execute(),
    update: (id: string, patch: SegmentPatch) =>
      db.updateTable('segments').set({ ...patch, ...(patch.name !== undefined ? { name_key: nameKey(patch.name) } : {}) }).where('id', '=', id).executeTakeFirst(),
    async delete(id: string): Promise<boolean> {
      const row = await db.selectFrom('segments').select('members_key').where('id', '=', id).executeTakeFirst();
      if (!row) return false;
      const r = await db.deleteFrom('segments').where('id', '=', id).executeTakeFirst();
      await dropSet(row.members_key);
      return Number(r.numDeletedRows) > 0;
    },

    /**
     * Recomputes a rule segment's members from `spec` into a new set and switches to it. Throws when the
     * query fails (the old set stays current); the caller records the error.
     */
    async refreshFromRule(row: SegmentRow, spec: AudienceSpec, key: string, now: number): Promise<MemberCounts | undefined> {
      try {
        await insertAudienceMembers(db, handle.dialect, key, spec);
      } catch (e) {
        await dropSet(key);
        throw e;
      }
      return switchSet(row.id, row.members_key, key, now);
    },
    switchSet,
    /** A failed refresh: the last members stay; the error and its time are kept for the operator. */
    recordRefreshError: (segmentId: string, message: string, now: number) =>
      db.updateTable('segments').set({ last_refresh_error: message.slice(0, 2000), last_refresh_error_at: now }).where('id', '=', segmentId).execute(),

    /** Writes a live evaluation under a set key of its own, for iterating a realtime segment page by page. */
    snapshotRule: (key: string, spec: AudienceSpec): Promise<number> => insertAudienceMembers(db, handle.dialect, key, spec),
    dropSet,
    /** Deletes sets older than `olderThan` that no segment points at (left by a crash or an abandoned upload). */
    async sweepStale(olderThan: number): Promise<void> {
      const stale = await db
        .selectFrom('segment_members')
        .select('segment_id')
        .distinct()
        .where('segment_id', '>=', '~')
        .where('segment_id', '<', keyBefore(olderThan))
        .where('segment_id', 'not in', db.selectFrom('segments').select('members_key'))
        .execute();
      for (const s of stale) await dropSet(s.segment_id);
    },

    async memberPage(key: string, limit: number, offset: number): Promise<{ total: number; items: MemberRow[] }> {
      const [rows, c] = await Promise.all([
        db.selectFrom('segment_members').select(['id', 'profile_id', 'phone']).where('segment_id', '=', key).orderBy('id').limit(limit).offset(offset).execute(),
        counts(db, key),
      ]);
      return { total: c.members, items: rows.map((r) => ({ id: r.id, profileId: r.profile_id, phone: r.phone })) };
    },
    /** Keyset paging for iteration: members of the set with id > afterId, in id order. */
    async memberBatch(key: string, afterId: number, limit: number): Promise<MemberRow[]> {
      const rows = await db.selectFrom('segment_members').select(['id', 'profile_id', 'phone']).where('segment_id', '=', key).where('id', '>', afterId).orderBy('id').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, profileId: r.profile_id, phone: r.phone }));
    },
    /** The profiles among `profileIds` that are members of the set. */
    async membersAmong(key: string, profileIds: string[]): Promise<Set<string>> {
      const found = new Set<string>();
      for (let i = 0; i < profileIds.length; i += 500) {
        const rows = await db.selectFrom('segment_members').select('profile_id').where('segment_id', '=', key).where('profile_id', 'in', profileIds.slice(i, i + 500)).execute();
        for (const r of rows) if (r.profile_id) found.add(r.profile_id);
      }
      return found;
    },
    /** The WhatsApp numbers of each profile (profiles without one are left out). */
    async phonesOf(profileIds: string[]): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>();
      for (let i = 0; i < profileIds.length; i += 500) {
        const rows = await db.selectFrom('identities').select(['profile_id', 'value']).where('type', '=', 'whatsapp').where('profile_id', 'in', profileIds.slice(i, i + 500)).execute();
        for (const r of rows) {
          const phones = out.get(r.profile_id);
          if (phones) phones.push(r.value);
          else out.set(r.profile_id, [r.value]);
        }
      }
      return out;
    },
    counts: (key: string) => counts(db, key),
    /** Daily rule segments (the service decides which are due). */
    daily: () => db.selectFrom('segments').selectAll().where('refresh_mode', '=', 'daily').where('kind', '=', 'rule').execute(),
  };
}
export type SegmentStore = ReturnType<typeof createSegmentStore>;
