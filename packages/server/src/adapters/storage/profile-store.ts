import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { FieldError, ProfileUpsert, TypedValue } from '@wareach/core';
import type { IdSource } from '../../services/ports';
import type { DatabaseHandle } from './database';
import { literalArray, textColumn } from './event-store';
import { loadProfiles, type StoredProfile } from './profile-load';
import type { Database } from './schema/index';
import { withRetries } from './transient';

export type { StoredProfile } from './profile-load';

/**
 * Which of these one-IDs have a profile, on PostgreSQL: one index probe an id. `id = ANY(<2,000 ids>)`
 * was planned as a parallel scan of the whole table (113 ms a batch at 1M profiles against 5 ms
 * probed); OFFSET 0 keeps EXISTS a probe per id.
 */
export async function existingProfileIdsPg(db: Kysely<Database>, ids: readonly string[]): Promise<Set<string>> {
  const r = await sql<{ id: string }>`SELECT q.id FROM unnest(${textColumn(ids)}) AS q(id) WHERE EXISTS (SELECT 1 FROM profiles p WHERE p.id = q.id OFFSET 0)`.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

export type UpsertOutcome = { ok: true; ids: string[]; created: number } | { ok: false; errors: FieldError[] };

type Db = Kysely<Database> | Transaction<Database>;

type AttributeRow = { profile_id: string; name: string; idx: number; type: string; v_text: string | null; v_num: number | null };
type TagRow = { profile_id: string; name: string; type: string; v_text: string | null; v_num: number | null };

function attributeRows(profileId: string, name: string, v: TypedValue): AttributeRow[] {
  if (v.type === 'string_list') {
    return (v.value as string[]).map((s, idx) => ({ profile_id: profileId, name, idx, type: v.type, v_text: s, v_num: null }));
  }
  const text = v.type === 'number' ? null : String(v.value);
  return [{ profile_id: profileId, name, idx: 0, type: v.type, v_text: text, v_num: v.num }];
}

const tagRow = (profileId: string, name: string, v: TypedValue): TagRow => ({ profile_id: profileId, name, type: v.type, v_text: v.type === 'number' ? null : String(v.value), v_num: v.num });

const identityKey = (x: { type: string; value: string }) => `${x.type}\u0000${x.value}`;

/**
 * Which profile each item of a batch is, given the current owners of its identities; or the conflicts
 * that refuse the batch (an identity owned by another profile, or given to two profiles of the batch).
 */
function resolveBatch(batch: ProfileUpsert[], owners: Map<string, string>, ids: IdSource): { ok: true; resolved: string[] } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const resolved: string[] = [];
  const claimed = new Map<string, number>(); // identity → index in batch that claims it
  batch.forEach((p, i) => {
    let id = p.id;
    if (id === undefined) {
      const found = new Set(p.identities.map((x) => owners.get(identityKey(x))).filter((x): x is string => !!x));
      if (found.size > 1) {
        errors.push({ path: `${i}.identities`, message: `identities belong to different profiles (${[...found].join(', ')})` });
      }
      id = [...found][0] ?? ids.next();
    } else {
      for (const x of p.identities) {
        const owner = owners.get(identityKey(x));
        if (owner && owner !== id) errors.push({ path: `${i}.identities.${x.type}`, message: `${x.value} already belongs to profile ${owner}` });
      }
    }
    for (const x of p.identities) {
      const key = identityKey(x);
      const prev = claimed.get(key);
      if (prev !== undefined && resolved[prev] !== id) {
        errors.push({ path: `${i}.identities.${x.type}`, message: `${x.value} is also given to item ${prev} of this batch` });
      }
      claimed.set(key, i);
    }
    resolved.push(id);
  });
  return errors.length ? { ok: false, errors } : { ok: true, resolved };
}

/** The rows one batch writes, as flat lists, so each dialect writes them set by set. */
interface UpsertPlan {
  /** New profiles, with their identities, attributes and tags among the rows below. */
  fresh: { id: string; subjectType: string; timezone: string | null }[];
  /** Profiles that exist: `updated_at` always, the other fields when given (`timezone: null` clears it). */
  changed: { id: string; subjectType: string | undefined; timezone: string | null | undefined }[];
  /** Replaced before the inserts: one identity per type, so a new WhatsApp number replaces the old one. */
  clearIdentities: { profileId: string; type: string }[];
  clearAttributes: { profileId: string; name: string }[];
  clearTags: { profileId: string; name: string }[];
  identities: { type: string; value: string; profileId: string }[];
  attributes: AttributeRow[];
  tags: TagRow[];
  catalogueAttributes: { name: string; type: string }[];
  catalogueTags: { name: string; type: string }[];
}

/**
 * Folds a resolved batch into its rows. Items for the same profile merge in order, field by field, as
 * if they had been sent one after another: a later value (or null, which removes) wins.
 */
function planBatch(batch: ProfileUpsert[], resolved: string[], existing: Set<string>): UpsertPlan {
  // A profile's first item is taken as it is, and copied only when a second item for the same profile
  // merges into it: three Maps a profile were most of a bulk import's garbage (promoted out of V8's
  // young generation while the batch's statements ran).
  type Merged = { subjectType?: string | undefined; timezone?: string | null | undefined; identities: ProfileUpsert['identities']; attributes: ProfileUpsert['attributes']; tags: ProfileUpsert['tags'] };
  const merged = new Map<string, Merged>();
  const attrTypes = new Set<string>();
  const tagTypes = new Set<string>();
  batch.forEach((p, i) => {
    const id = resolved[i]!;
    const m = merged.get(id);
    if (!m) merged.set(id, { subjectType: p.subjectType, timezone: p.timezone, identities: p.identities, attributes: p.attributes, tags: p.tags });
    else {
      if (p.subjectType !== undefined) m.subjectType = p.subjectType;
      if (p.timezone !== undefined) m.timezone = p.timezone;
      m.identities = [...m.identities, ...p.identities];
      m.attributes = { ...m.attributes, ...p.attributes };
      m.tags = { ...m.tags, ...p.tags };
    }
    for (const name in p.attributes) {
      const v = p.attributes[name];
      if (v) attrTypes.add(`${name}\u0000${v.type}`);
    }
    for (const name in p.tags) {
      const v = p.tags[name];
      if (v) tagTypes.add(`${name}\u0000${v.type}`);
    }
  });
  const plan: UpsertPlan = { fresh: [], changed: [], clearIdentities: [], clearAttributes: [], clearTags: [], identities: [], attributes: [], tags: [], catalogueAttributes: [], catalogueTags: [] };
  for (const [id, m] of merged) {
    const isNew = !existing.has(id);
    if (isNew) plan.fresh.push({ id, subjectType: m.subjectType ?? 'user', timezone: m.timezone ?? null });
    else plan.changed.push({ id, subjectType: m.subjectType, timezone: m.timezone });
    // One identity per type, the last given (in the place of the first).
    const identities = m.identities.length < 2 ? m.identities : [...new Map(m.identities.map((x) => [x.type, x.value]))].map(([type, value]) => ({ type, value }));
    for (const { type, value } of identities) {
      if (!isNew) plan.clearIdentities.push({ profileId: id, type });
      plan.identities.push({ type, value, profileId: id });
    }
    for (const name in m.attributes) {
      const v = m.attributes[name];
      if (!isNew) plan.clearAttributes.push({ profileId: id, name });
      if (v) plan.attributes.push(...attributeRows(id, name, v));
    }
    for (const name in m.tags) {
      const v = m.tags[name];
      if (!isNew) plan.clearTags.push({ profileId: id, name });
      if (v) plan.tags.push(tagRow(id, name, v));
    }
  }
  const split = (k: string) => { const [name, type] = k.split('\u0000') as [string, string]; return { name, type }; };
  plan.catalogueAttributes = [...attrTypes].map(split);
  plan.catalogueTags = [...tagTypes].map(split);
  return plan;
}

/**
 * Profiles, identities, attributes and tags. A batch upsert resolves every profile first and writes
 * nothing when one of them conflicts (an identity owned by another profile): all-or-nothing, in one
 * transaction.
 *
 * The batch upsert has two paths with one behaviour, as the event store: prepared statements on
 * better-sqlite3 and one unnest() statement per table on PostgreSQL, because building multi-row inserts
 * through the query builder was most of the time of a 1M-profile import.
 */
export function createProfileStore(handle: DatabaseHandle, ids: IdSource) {
  const db = handle.db;

  // Prepared once per store: preparing costs more than running these small statements.
  let statements: ReturnType<typeof prepareSqlite> | undefined;
  const prepareSqlite = (s: NonNullable<DatabaseHandle['sqlite']>) => ({
    owner: s.prepare('SELECT profile_id FROM identities WHERE type = ? AND value = ?').pluck(),
    exists: s.prepare('SELECT 1 FROM profiles WHERE id = ?').pluck(),
    insertProfile: s.prepare('INSERT INTO profiles (id, subject_type, timezone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
    updateProfile: s.prepare('UPDATE profiles SET updated_at = ?, subject_type = coalesce(?, subject_type), timezone = CASE WHEN ? THEN ? ELSE timezone END WHERE id = ?'),
    clearIdentity: s.prepare('DELETE FROM identities WHERE profile_id = ? AND type = ?'),
    clearAttribute: s.prepare('DELETE FROM profile_attributes WHERE profile_id = ? AND name = ?'),
    clearTag: s.prepare('DELETE FROM profile_tags WHERE profile_id = ? AND name = ?'),
    insertIdentity: s.prepare('INSERT INTO identities (type, value, profile_id) VALUES (?, ?, ?)'),
    insertAttribute: s.prepare('INSERT INTO profile_attributes (profile_id, name, idx, type, v_text, v_num) VALUES (?, ?, ?, ?, ?, ?)'),
    insertTag: s.prepare('INSERT INTO profile_tags (profile_id, name, type, v_text, v_num) VALUES (?, ?, ?, ?, ?)'),
    catalogueAttribute: s.prepare('INSERT INTO catalogue_attributes (name, type) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    catalogueTag: s.prepare('INSERT INTO catalogue_tags (name, type) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    begin: s.prepare('BEGIN IMMEDIATE'),
    commit: s.prepare('COMMIT'),
    rollback: s.prepare('ROLLBACK'),
  });

  /**
   * One batch on SQLite, to run inside a transaction (its own or a session's; not a savepoint, whose
   * sub-journal copies every page it changes), while holding Kysely's connection so that no Kysely
   * transaction interleaves with these statements. A conflicting batch returns before it writes.
   */
  function upsertSqlite(batch: ProfileUpsert[], now: number): UpsertOutcome {
    const s = handle.sqlite!;
    const st = (statements ??= prepareSqlite(s));
    const owners = new Map<string, string>();
    for (const p of batch) {
      for (const x of p.identities) {
        const owner = st.owner.get(x.type, x.value) as string | undefined;
        if (owner !== undefined) owners.set(identityKey(x), owner);
      }
    }
    const r = resolveBatch(batch, owners, ids);
    if (!r.ok) return r;
    const existing = new Set<string>();
    for (const id of new Set(r.resolved)) if (st.exists.get(id) !== undefined) existing.add(id);
    const plan = planBatch(batch, r.resolved, existing);
    for (const p of plan.fresh) st.insertProfile.run(p.id, p.subjectType, p.timezone, now, now);
    for (const p of plan.changed) st.updateProfile.run(now, p.subjectType ?? null, p.timezone === undefined ? 0 : 1, p.timezone ?? null, p.id);
    for (const x of plan.clearIdentities) st.clearIdentity.run(x.profileId, x.type);
    for (const x of plan.clearAttributes) st.clearAttribute.run(x.profileId, x.name);
    for (const x of plan.clearTags) st.clearTag.run(x.profileId, x.name);
    for (const x of plan.identities) st.insertIdentity.run(x.type, x.value, x.profileId);
    for (const a of plan.attributes) st.insertAttribute.run(a.profile_id, a.name, a.idx, a.type, a.v_text, a.v_num);
    for (const t of plan.tags) st.insertTag.run(t.profile_id, t.name, t.type, t.v_text, t.v_num);
    for (const c of plan.catalogueAttributes) st.catalogueAttribute.run(c.name, c.type);
    for (const c of plan.catalogueTags) st.catalogueTag.run(c.name, c.type);
    return { ok: true, ids: r.resolved, created: plan.fresh.length };
  }

  async function upsertPostgres(trx: Transaction<Database>, batch: ProfileUpsert[], now: number): Promise<UpsertOutcome> {
    const keys = [...new Map(batch.flatMap((p) => p.identities).map((x) => [identityKey(x), x])).values()];
    const owners = new Map<string, string>();
    if (keys.length) {
      const found = await sql<{ type: string; value: string; profile_id: string }>`
        SELECT i.type, i.value, i.profile_id FROM identities i
        JOIN unnest(${textColumn(keys.map((k) => k.type))}, ${textColumn(keys.map((k) => k.value))}) AS q(type, value)
        ON i.type = q.type AND i.value = q.value`.execute(trx);
      for (const row of found.rows) owners.set(identityKey(row), row.profile_id);
    }
    const r = resolveBatch(batch, owners, ids);
    if (!r.ok) return r;
    const plan = planBatch(batch, r.resolved, await existingProfileIdsPg(trx, [...new Set(r.resolved)]));
    const col = <T, K extends keyof T>(rows: T[], k: K) => rows.map((x) => x[k]);
    // Every statement is made before the first is sent: the plan and the batch are then garbage while
    // they run (kept across the round trips, a bulk import's were promoted out of V8's young generation).
    const writes: RawBuilder<unknown>[] = [];
    const created = plan.fresh.length;
    if (plan.fresh.length) {
      writes.push(sql`INSERT INTO profiles (id, subject_type, timezone, created_at, updated_at)
        SELECT id, st, tz, ${now}::bigint, ${now}::bigint FROM unnest(${textColumn(col(plan.fresh, 'id'))}, ${textColumn(col(plan.fresh, 'subjectType'))}, ${textColumn(col(plan.fresh, 'timezone'))}) AS t(id, st, tz)`);
    }
    if (plan.changed.length) {
      writes.push(sql`UPDATE profiles p SET updated_at = ${now}::bigint, subject_type = coalesce(u.st, p.subject_type), timezone = CASE WHEN u.set_tz THEN u.tz ELSE p.timezone END
        FROM unnest(${textColumn(col(plan.changed, 'id'))}, ${textColumn(plan.changed.map((x) => x.subjectType ?? null))}, ${literalArray(plan.changed.map((x) => x.timezone !== undefined))}::boolean[], ${textColumn(plan.changed.map((x) => x.timezone ?? null))}) AS u(id, st, set_tz, tz)
        WHERE p.id = u.id`);
    }
    if (plan.clearIdentities.length) {
      writes.push(sql`DELETE FROM identities i USING unnest(${textColumn(col(plan.clearIdentities, 'profileId'))}, ${textColumn(col(plan.clearIdentities, 'type'))}) AS d(p, t) WHERE i.profile_id = d.p AND i.type = d.t`);
    }
    if (plan.clearAttributes.length) {
      writes.push(sql`DELETE FROM profile_attributes a USING unnest(${textColumn(col(plan.clearAttributes, 'profileId'))}, ${textColumn(col(plan.clearAttributes, 'name'))}) AS d(p, n) WHERE a.profile_id = d.p AND a.name = d.n`);
    }
    if (plan.clearTags.length) {
      writes.push(sql`DELETE FROM profile_tags g USING unnest(${textColumn(col(plan.clearTags, 'profileId'))}, ${textColumn(col(plan.clearTags, 'name'))}) AS d(p, n) WHERE g.profile_id = d.p AND g.name = d.n`);
    }
    if (plan.identities.length) {
      writes.push(sql`INSERT INTO identities (type, value, profile_id) SELECT * FROM unnest(${textColumn(col(plan.identities, 'type'))}, ${textColumn(col(plan.identities, 'value'))}, ${textColumn(col(plan.identities, 'profileId'))})`);
    }
    if (plan.attributes.length) {
      const a = plan.attributes;
      writes.push(sql`INSERT INTO profile_attributes (profile_id, name, idx, type, v_text, v_num)
        SELECT * FROM unnest(${textColumn(col(a, 'profile_id'))}, ${textColumn(col(a, 'name'))}, ${literalArray(col(a, 'idx'))}::integer[], ${textColumn(col(a, 'type'))}, ${textColumn(col(a, 'v_text'))}, ${literalArray(col(a, 'v_num'))}::double precision[])`);
    }
    if (plan.tags.length) {
      const t = plan.tags;
      writes.push(sql`INSERT INTO profile_tags (profile_id, name, type, v_text, v_num)
        SELECT * FROM unnest(${textColumn(col(t, 'profile_id'))}, ${textColumn(col(t, 'name'))}, ${textColumn(col(t, 'type'))}, ${textColumn(col(t, 'v_text'))}, ${literalArray(col(t, 'v_num'))}::double precision[])`);
    }
    if (plan.catalogueAttributes.length) {
      writes.push(sql`INSERT INTO catalogue_attributes (name, type) SELECT * FROM unnest(${textColumn(col(plan.catalogueAttributes, 'name'))}, ${textColumn(col(plan.catalogueAttributes, 'type'))}) ON CONFLICT DO NOTHING`);
    }
    if (plan.catalogueTags.length) {
      writes.push(sql`INSERT INTO catalogue_tags (name, type) SELECT * FROM unnest(${textColumn(col(plan.catalogueTags, 'name'))}, ${textColumn(col(plan.catalogueTags, 'type'))}) ON CONFLICT DO NOTHING`);
    }
    for (const w of writes) await w.execute(trx);
    return { ok: true as const, ids: r.resolved, created };
  }

  /**
   * Several batches in one transaction (bulk imports; see the event store's session): `body` gets an
   * `upsert` for each batch, which writes nothing of a batch that conflicts and says why, and the
   * transaction commits when `body` returns (rolls back when it throws). On SQLite the session holds
   * Kysely's connection throughout: other writers of this process wait until it commits.
   */
  async function session<T>(body: (upsert: (batch: ProfileUpsert[], now: number) => Promise<UpsertOutcome>) => Promise<T>, opts: { replayable?: boolean } = {}): Promise<T> {
    const none = (): Promise<UpsertOutcome> => Promise.resolve({ ok: true, ids: [], created: 0 });
    if (handle.dialect !== 'sqlite') return withRetries(() => db.transaction().execute((trx) => body((batch, now) => (batch.length ? upsertPostgres(trx, batch, now) : none()))), opts.replayable);
    const s = handle.sqlite!;
    const st = (statements ??= prepareSqlite(s));
    return db.connection().execute(async () => {
      st.begin.run();
      try {
        const r = await body(async (batch, now) => (batch.length ? upsertSqlite(batch, now) : { ok: true, ids: [], created: 0 }));
        st.commit.run();
        return r;
      } catch (e) {
        if (s.inTransaction) st.rollback.run();
        throw e;
      }
    });
  }

  return {
    /** Runs a batch upsert in its own transaction; nothing is written when any item conflicts. */
    upsert(batch: ProfileUpsert[], now: number): Promise<UpsertOutcome> {
      if (batch.length === 0) return Promise.resolve({ ok: true, ids: [], created: 0 });
      // IMMEDIATE takes the write lock before the reads the writes depend on.
      if (handle.dialect === 'sqlite') return db.connection().execute(async () => handle.sqlite!.transaction(() => upsertSqlite(batch, now)).immediate());
      // Replayable (it reads only its batch): a race with another writer on a new key is written again.
      return withRetries(() => db.transaction().execute((trx) => upsertPostgres(trx, batch, now)), true);
    },
    session,
    /**
     * Profiles a session's batch should hold: on SQLite few (a batch's dozen objects a profile, kept
     * while its statements run, were promoted out of V8's young generation at 1,000 and doubled the
     * heap), on PostgreSQL enough to make each statement's round trip worth it.
     */
    sessionBatch: handle.dialect === 'sqlite' ? 250 : 2_000,
    /**
     * Sessions a bulk import may write side by side: on PostgreSQL two, as for events (one session's
     * backend bounds the import); the import keeps two transactions that write one profile or identity
     * in order (see bulk-import.ts).
     */
    sessionLanes: handle.dialect === 'sqlite' ? 1 : 2,
    get: async (id: string): Promise<StoredProfile | undefined> => (await loadProfiles(db, [id])).get(id),
    getMany: (ids: readonly string[]) => loadProfiles(db, ids),
    async findIdByIdentity(type: string, value: string): Promise<string | undefined> {
      const r = await db.selectFrom('identities').select('profile_id').where('type', '=', type).where('value', '=', value).executeTakeFirst();
      return r?.profile_id;
    },
    /** Erasure: the profile, its identities, attributes, tags and events. */
    async erase(id: string): Promise<{ events: number } | undefined> {
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('profiles').select('id').where('id', '=', id).executeTakeFirst();
        if (!row) return undefined;
        const ev = await trx.deleteFrom('events').where('profile_id', '=', id).executeTakeFirst();
        await trx.deleteFrom('identities').where('profile_id', '=', id).execute();
        await trx.deleteFrom('profile_attributes').where('profile_id', '=', id).execute();
        await trx.deleteFrom('profile_tags').where('profile_id', '=', id).execute();
        await trx.deleteFrom('profiles').where('id', '=', id).execute();
        return { events: Number(ev.numDeletedRows) };
      });
    },
    async search(q: { text?: string; limit: number; offset: number }) {
      let query = db.selectFrom('profiles').leftJoin('identities', (j) => j.onRef('identities.profile_id', '=', 'profiles.id').on('identities.type', '=', 'whatsapp'));
      if (q.text) {
        const like = `%${q.text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        query = query.where((eb) => eb.or([eb('profiles.id', 'like', like), eb('identities.value', 'like', like)]));
      }
      const [rows, total] = await Promise.all([
        query.select(['profiles.id', 'profiles.subject_type', 'profiles.timezone', 'profiles.updated_at', 'identities.value as phone'])
          .orderBy('profiles.id').limit(q.limit).offset(q.offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { total: Number(total.n), items: rows.map((r) => ({ id: r.id, subjectType: r.subject_type, timezone: r.timezone, phone: r.phone, updatedAt: new Date(r.updated_at).toISOString() })) };
    },
  };
}
export type ProfileStore = ReturnType<typeof createProfileStore>;
