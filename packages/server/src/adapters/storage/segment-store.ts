import type { Kysely, Transaction } from 'kysely';
import type { DatabaseHandle } from './database';
import type { Database } from './schema/index';
import type { SegmentsTable } from './schema/tasks';
import { insertAudienceMembers, type AudienceSpec } from './audience/audience-query';

type Db = Kysely<Database> | Transaction<Database>;
export type SegmentRow = SegmentsTable;
export type SegmentPatch = Partial<Omit<SegmentsTable, 'id' | 'created_at' | 'created_by'>>;

export interface MemberRow {
  id: number;
  profileId: string | null;
  phone: string | null;
}

/**
 * Segments and their members. Members are replaced in one transaction (delete, then insert), so a
 * reader sees either the old or the new members, never a mix; a failed refresh rolls back and leaves
 * the last members in place.
 */
export function createSegmentStore(handle: DatabaseHandle) {
  const db = handle.db;

  async function counts(trx: Db, segmentId: string) {
    const r = await trx
      .selectFrom('segment_members')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('phone').as('phones'), eb.fn.count<number>('profile_id').as('profiles')])
      .where('segment_id', '=', segmentId)
      .executeTakeFirstOrThrow();
    return { members: Number(r.n), phones: Number(r.phones), profiles: Number(r.profiles) };
  }

  return {
    get: (id: string) => db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst(),
    /** Changes whenever the members are replaced: iteration restarts when it moves under it. */
    generation: async (id: string) => (await db.selectFrom('segments').select('refreshed_at').where('id', '=', id).executeTakeFirst())?.refreshed_at ?? null,
    getMany: (ids: string[]) => (ids.length ? db.selectFrom('segments').selectAll().where('id', 'in', ids).execute() : Promise.resolve([])),
    /** Every segment, newest first; visibility and role authorisation are the service's filter. */
    list: () => db.selectFrom('segments').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').execute(),
    byOwningTask: (taskId: string) => db.selectFrom('segments').selectAll().where('owning_task_id', '=', taskId).execute(),
    nameTaken: async (name: string, exceptId?: string) => {
      let q = db.selectFrom('segments').select('id').where('name', '=', name);
      if (exceptId) q = q.where('id', '!=', exceptId);
      return (await q.executeTakeFirst()) !== undefined;
    },
    insert: (row: SegmentRow) => db.insertInto('segments').values(row).execute(),
    update: (id: string, patch: SegmentPatch) => db.updateTable('segments').set(patch).where('id', '=', id).executeTakeFirst(),
    async delete(id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('segment_members').where('segment_id', '=', id).execute();
        const r = await trx.deleteFrom('segments').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },
    /**
     * Recomputes a rule segment's members from `spec` in one transaction and records the refresh.
     * Throws (after rolling back) when the query fails; the caller records the error.
     */
    async refreshFromRule(segmentId: string, spec: AudienceSpec, now: number): Promise<{ members: number; phones: number; profiles: number }> {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('segment_members').where('segment_id', '=', segmentId).execute();
        await insertAudienceMembers(trx, handle.dialect, segmentId, spec);
        const c = await counts(trx, segmentId);
        await trx.updateTable('segments').set({ member_count: c.members, send_count: c.phones, refreshed_at: now, last_refresh_error: null, last_refresh_error_at: null, updated_at: now }).where('id', '=', segmentId).execute();
        return c;
      });
    },
    /** A failed refresh: the last members stay; the error and its time are kept for the operator. */
    recordRefreshError: (segmentId: string, message: string, now: number) =>
      db.updateTable('segments').set({ last_refresh_error: message.slice(0, 2000), last_refresh_error_at: now }).where('id', '=', segmentId).execute(),

    /** Writes a live evaluation under a snapshot key, for iterating a realtime segment page by page. */
    async snapshotRule(snapshotKey: string, spec: AudienceSpec): Promise<number> {
      return insertAudienceMembers(db, handle.dialect, snapshotKey, spec);
    },
    deleteMembers: (segmentKey: string) => db.deleteFrom('segment_members').where('segment_id', '=', segmentKey).execute(),
    /** Snapshot and upload keys start with `~<kind>:<epoch ms>:` so leftovers of a crash can be swept by age. */
    async sweepStale(kind: 'snapshot' | 'upload', olderThan: number): Promise<void> {
      await db.deleteFrom('segment_members').where('segment_id', '>=', `~${kind}:`).where('segment_id', '<', `~${kind}:${String(olderThan).padStart(15, '0')}`).execute();
    },

    async memberPage(segmentId: string, limit: number, offset: number): Promise<{ total: number; items: MemberRow[] }> {
      const [rows, c] = await Promise.all([
        db.selectFrom('segment_members').select(['id', 'profile_id', 'phone']).where('segment_id', '=', segmentId).orderBy('id').limit(limit).offset(offset).execute(),
        counts(db, segmentId),
      ]);
      return { total: c.members, items: rows.map((r) => ({ id: r.id, profileId: r.profile_id, phone: r.phone })) };
    },
    /** Keyset paging for iteration: members with id > afterId, in id order. */
    async memberBatch(segmentKey: string, afterId: number, limit: number): Promise<MemberRow[]> {
      const rows = await db.selectFrom('segment_members').select(['id', 'profile_id', 'phone']).where('segment_id', '=', segmentKey).where('id', '>', afterId).orderBy('id').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, profileId: r.profile_id, phone: r.phone }));
    },
    async isMember(segmentId: string, profileId: string): Promise<boolean> {
      const r = await db.selectFrom('segment_members').select('id').where('segment_id', '=', segmentId).where('profile_id', '=', profileId).limit(1).executeTakeFirst();
      return r !== undefined;
    },
    async hasPhone(segmentId: string, phone: string): Promise<boolean> {
      const r = await db.selectFrom('segment_members').select('id').where('segment_id', '=', segmentId).where('phone', '=', phone).limit(1).executeTakeFirst();
      return r !== undefined;
    },
    counts: (segmentId: string) => counts(db, segmentId),
    /** The WhatsApp number of a profile, if it has one. */
    async phoneOf(profileId: string): Promise<string | undefined> {
      const r = await db.selectFrom('identities').select('value').where('profile_id', '=', profileId).where('type', '=', 'whatsapp').orderBy('value').limit(1).executeTakeFirst();
      return r?.value;
    },
    async profileExists(profileId: string): Promise<{ subjectType: string } | undefined> {
      const r = await db.selectFrom('profiles').select('subject_type').where('id', '=', profileId).executeTakeFirst();
      return r ? { subjectType: r.subject_type } : undefined;
    },
    /** Segments in daily mode whose last refresh is older than `since` (the scheduler decides `since`). */
    dailyNotRefreshedSince: (since: number) =>
      db.selectFrom('segments').selectAll().where('refresh_mode', '=', 'daily').where('kind', '=', 'rule')
        .where((eb) => eb.or([eb('refreshed_at', 'is', null), eb('refreshed_at', '<', since)])).execute(),
  };
}
export type SegmentStore = ReturnType<typeof createSegmentStore>;
