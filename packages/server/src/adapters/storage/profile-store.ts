import type { Kysely, Transaction } from 'kysely';
import type { FieldError, ProfileUpsert, TypedValue } from '@wareach/core';
import type { IdSource } from '../../services/ports';
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

export type UpsertOutcome = { ok: true; ids: string[]; created: number } | { ok: false; errors: FieldError[] };

type Db = Kysely<Database> | Transaction<Database>;

const chunk = <T>(xs: T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

type AttributeRow = { profile_id: string; name: string; idx: number; type: string; v_text: string | null; v_num: number | null };

function attributeRows(profileId: string, name: string, v: TypedValue): AttributeRow[] {
  if (v.type === 'string_list') {
    return (v.value as string[]).map((s, idx) => ({ profile_id: profileId, name, idx, type: v.type, v_text: s, v_num: null }));
  }
  const text = v.type === 'number' ? null : String(v.value);
  return [{ profile_id: profileId, name, idx: 0, type: v.type, v_text: text, v_num: v.num }];
}

const tagRow = (profileId: string, name: string, v: TypedValue) => ({ profile_id: profileId, name, type: v.type, v_text: v.type === 'number' ? null : String(v.value), v_num: v.num });

function decodeValue(type: string, text: string | null, num: number | null): string | number | boolean {
  if (type === 'number') return num ?? 0;
  if (type === 'boolean') return num === 1;
  return text ?? '';
}

/**
 * Profiles, identities, attributes and tags. A batch upsert resolves every profile first and writes
 * nothing when one of them conflicts (an identity owned by another profile): all-or-nothing, inside the
 * caller's transaction.
 */
export function createProfileStore(db: Kysely<Database>, ids: IdSource) {
  async function resolveOwners(trx: Db, identities: { type: string; value: string }[]) {
    const owners = new Map<string, string>();
    for (const part of chunk(identities, 400)) {
      const rows = await trx
        .selectFrom('identities')
        .select(['type', 'value', 'profile_id'])
        .where((eb) => eb.or(part.map((i) => eb.and([eb('type', '=', i.type), eb('value', '=', i.value)]))))
        .execute();
      for (const r of rows) owners.set(`${r.type}\u0000${r.value}`, r.profile_id);
    }
    return owners;
  }

  async function upsertBatch(trx: Db, batch: ProfileUpsert[], now: number): Promise<UpsertOutcome> {
    const allIdentities = batch.flatMap((p) => p.identities);
    const owners = await resolveOwners(trx, allIdentities);
    const errors: FieldError[] = [];
    const resolved: string[] = [];
    const claimed = new Map<string, number>(); // identity → index in batch that claims it
    batch.forEach((p, i) => {
      const found = new Set(p.identities.map((x) => owners.get(`${x.type}\u0000${x.value}`)).filter((x): x is string => !!x));
      let id = p.id;
      if (id === undefined) {
        if (found.size > 1) {
          errors.push({ path: `${i}.identities`, message: `identities belong to different profiles (${[...found].join(', ')})` });
        }
        id = [...found][0] ?? ids.next();
      } else {
        for (const x of p.identities) {
          const owner = owners.get(`${x.type}\u0000${x.value}`);
          if (owner && owner !== id) errors.push({ path: `${i}.identities.${x.type}`, message: `${x.value} already belongs to profile ${owner}` });
        }
      }
      for (const x of p.identities) {
        const key = `${x.type}\u0000${x.value}`;
        const prev = claimed.get(key);
        if (prev !== undefined && resolved[prev] !== id) {
          errors.push({ path: `${i}.identities.${x.type}`, message: `${x.value} is also given to item ${prev} of this batch` });
        }
        claimed.set(key, i);
      }
      resolved.push(id);
    });
    if (errors.length) return { ok: false, errors };

    const existing = new Set<string>();
    for (const part of chunk([...new Set(resolved)], 500)) {
      const rows = await trx.selectFrom('profiles').select('id').where('id', 'in', part).execute();
      rows.forEach((r) => existing.add(r.id));
    }
    let created = 0;
    // New profiles (the bulk-import case) are written with multi-row inserts; profiles that exist are
    // patched one by one. Later items of one batch for the same profile win field by field, as if sent
    // one after another, so a profile repeated in a batch goes down the one-by-one path from its second item.
    const fresh: number[] = [];
    const patch: number[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < batch.length; i++) {
      const id = resolved[i]!;
      if (!existing.has(id) && !seen.has(id)) fresh.push(i);
      else patch.push(i);
      seen.add(id);
    }
    if (fresh.length) {
      const profileRows = fresh.map((i) => ({ id: resolved[i]!, subject_type: batch[i]!.subjectType ?? 'user', timezone: batch[i]!.timezone ?? null, created_at: now, updated_at: now }));
      const identityRows = fresh.flatMap((i) => batch[i]!.identities.map((x) => ({ type: x.type, value: x.value, profile_id: resolved[i]! })));
      const attrRows = fresh.flatMap((i) => Object.entries(batch[i]!.attributes).flatMap(([name, v]) => (v ? attributeRows(resolved[i]!, name, v) : [])));
      const tagRows = fresh.flatMap((i) => Object.entries(batch[i]!.tags).flatMap(([name, v]) => (v ? [tagRow(resolved[i]!, name, v)] : [])));
      for (const part of chunk(profileRows, 1000)) await trx.insertInto('profiles').values(part).execute();
      for (const part of chunk(identityRows, 2000)) await trx.insertInto('identities').values(part).execute();
      for (const part of chunk(attrRows, 2000)) await trx.insertInto('profile_attributes').values(part).execute();
      for (const part of chunk(tagRows, 2000)) await trx.insertInto('profile_tags').values(part).execute();
      created = fresh.length;
    }
    for (const i of patch) {
      const p = batch[i]!;
      const id = resolved[i]!;
      const change: { updated_at: number; subject_type?: string; timezone?: string | null } = { updated_at: now };
      if (p.subjectType !== undefined) change.subject_type = p.subjectType;
      if (p.timezone !== undefined) change.timezone = p.timezone;
      await trx.updateTable('profiles').set(change).where('id', '=', id).execute();
      // One identity per type: a new WhatsApp number replaces the old one.
      for (const x of p.identities) {
        await trx.deleteFrom('identities').where('profile_id', '=', id).where('type', '=', x.type).execute();
        await trx.insertInto('identities').values({ type: x.type, value: x.value, profile_id: id }).execute();
      }
      const attrNames = Object.keys(p.attributes);
      if (attrNames.length) {
        await trx.deleteFrom('profile_attributes').where('profile_id', '=', id).where('name', 'in', attrNames).execute();
        const rows = Object.entries(p.attributes).flatMap(([name, v]) => (v ? attributeRows(id, name, v) : []));
        if (rows.length) await trx.insertInto('profile_attributes').values(rows).execute();
      }
      const tagNames = Object.keys(p.tags);
      if (tagNames.length) {
        await trx.deleteFrom('profile_tags').where('profile_id', '=', id).where('name', 'in', tagNames).execute();
        const rows = Object.entries(p.tags).flatMap(([name, v]) => (v ? [tagRow(id, name, v)] : []));
        if (rows.length) await trx.insertInto('profile_tags').values(rows).execute();
      }
    }
    const attrTypes = new Map<string, string>();
    const tagTypes = new Map<string, string>();
    for (const p of batch) {
      for (const [n, v] of Object.entries(p.attributes)) if (v) attrTypes.set(`${n}\u0000${v.type}`, '');
      for (const [n, v] of Object.entries(p.tags)) if (v) tagTypes.set(`${n}\u0000${v.type}`, '');
    }
    const split = (k: string) => { const [name, type] = k.split('\u0000') as [string, string]; return { name, type }; };
    if (attrTypes.size) await trx.insertInto('catalogue_attributes').values([...attrTypes.keys()].map(split)).onConflict((oc) => oc.doNothing()).execute();
    if (tagTypes.size) await trx.insertInto('catalogue_tags').values([...tagTypes.keys()].map(split)).onConflict((oc) => oc.doNothing()).execute();
    return { ok: true, ids: resolved, created };
  }

  async function load(trx: Db, id: string): Promise<StoredProfile | undefined> {
    const row = await trx.selectFrom('profiles').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const [idents, attrs, tags] = await Promise.all([
      trx.selectFrom('identities').select(['type', 'value']).where('profile_id', '=', id).orderBy('type').execute(),
      trx.selectFrom('profile_attributes').selectAll().where('profile_id', '=', id).orderBy('name').orderBy('idx').execute(),
      trx.selectFrom('profile_tags').selectAll().where('profile_id', '=', id).orderBy('name').execute(),
    ]);
    const attributes: StoredProfile['attributes'] = {};
    for (const a of attrs) {
      if (a.type === 'string_list') ((attributes[a.name] ??= []) as string[]).push(a.v_text ?? '');
      else attributes[a.name] = decodeValue(a.type, a.v_text, a.v_num);
    }
    const tagValues: StoredProfile['tags'] = {};
    for (const t of tags) tagValues[t.name] = decodeValue(t.type, t.v_text, t.v_num);
    return {
      id: row.id,
      subjectType: row.subject_type,
      timezone: row.timezone,
      identities: idents,
      attributes,
      tags: tagValues,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  return {
    upsertBatch,
    /** Runs a batch upsert in its own transaction; nothing is written when any item conflicts. */
    async upsert(batch: ProfileUpsert[], now: number): Promise<UpsertOutcome> {
      try {
        return await db.transaction().execute(async (trx) => {
          const r = await upsertBatch(trx, batch, now);
          if (!r.ok) throw new RollbackWith(r);
          return r;
        });
      } catch (e) {
        if (e instanceof RollbackWith) return e.outcome;
        throw e;
      }
    },
    get: (id: string) => load(db, id),
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

class RollbackWith extends Error {
  constructor(readonly outcome: UpsertOutcome) {
    super('rollback');
  }
}
