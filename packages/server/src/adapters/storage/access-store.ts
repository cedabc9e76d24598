import type { Kysely } from 'kysely';
import type { Database } from './schema/index';

/** Roles, members, sessions, API keys and the audit log. Hashing and policy live in the services. */
export function createAccessStore(db: Kysely<Database>) {
  return {
    db,
    roles: {
      list: () => db.selectFrom('roles').selectAll().orderBy('builtin', 'desc').orderBy('name').execute(),
      get: (id: string) => db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst(),
      byName: (name: string) => db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst(),
      insert: (r: Database['roles']) => db.insertInto('roles').values(r).execute(),
      update: (id: string, patch: { name?: string; permissions?: string; updated_at: number }) =>
        db.updateTable('roles').set(patch).where('id', '=', id).where('builtin', '=', 0).executeTakeFirst(),
      delete: (id: string) => db.deleteFrom('roles').where('id', '=', id).where('builtin', '=', 0).executeTakeFirst(),
      usage: async (id: string) => {
        const m = await db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).where('role_id', '=', id).executeTakeFirstOrThrow();
        const k = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('role_id', '=', id).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
        return Number(m.n) + Number(k.n);
      },
    },
    members: {
      list: () => db.selectFrom('members').selectAll().orderBy('email').execute(),
      get: (id: string) => db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst(),
      byEmail: (email: string) => db.selectFrom('members').selectAll().where('email', '=', email).executeTakeFirst(),
      insert: (m: Database['members']) => db.insertInto('members').values(m).execute(),
      update: (id: string, patch: Partial<Omit<Database['members'], 'id'>>) => db.updateTable('members').set(patch).where('id', '=', id).executeTakeFirst(),
      count: async () => Number((await db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    },
    sessions: {
      insert: (s: Database['sessions']) => db.insertInto('sessions').values(s).execute(),
      get: (id: string) => db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst(),
      delete: (id: string) => db.deleteFrom('sessions').where('id', '=', id).execute(),
      deleteForMember: (memberId: string) => db.deleteFrom('sessions').where('member_id', '=', memberId).execute(),
      deleteExpired: (now: number) => db.deleteFrom('sessions').where('expires_at', '<', now).execute(),
    },
    apiKeys: {
      list: () => db.selectFrom('api_keys').select(['id', 'name', 'prefix', 'role_id', 'created_by', 'created_at', 'last_used_at', 'revoked_at']).orderBy('created_at', 'desc').execute(),
      byHash: (hash: string) => db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst(),
      insert: (k: Database['api_keys']) => db.insertInto('api_keys').values(k).execute(),
      revoke: (id: string, now: number) => db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst(),
      touch: (id: string, now: number) => db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute(),
      count: async () => Number((await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    },
    audit: {
      insert: (a: Omit<Database['audit_log'], 'id'>) => db.insertInto('audit_log').values(a).execute(),
      list: (q: { entityType?: string; entityId?: string; limit: number; beforeId?: number }) => {
        let query = db.selectFrom('audit_log').selectAll();
        if (q.entityType) query = query.where('entity_type', '=', q.entityType);
        if (q.entityId) query = query.where('entity_id', '=', q.entityId);
        if (q.beforeId) query = query.where('id', '<', q.beforeId);
        return query.orderBy('id', 'desc').limit(q.limit).execute();
      },
    },
    settings: {
      get: async (key: string) => (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value,
      put: (key: string, value: string, now: number) =>
        db.insertInto('settings').values({ key, value, updated_at: now }).onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now })).execute(),
    },
  };
}
export type AccessStore = ReturnType<typeof createAccessStore>;
