import { defaultProjectSettings, projectSettingsPatchSchema, projectSettingsSchema, issuesToFieldErrors, type ProjectSettings } from '@wareach/core';
import type { AccessStore } from '../adapters/storage/access-store';
import type { Database } from '../adapters/storage/schema/index';
import type { Kysely } from 'kysely';
import type { AuditLog } from './audit';
import { conflict, notFound, validationError } from './errors';
import type { Actor, Clock, IdSource } from './ports';

/** Project settings (the settings centre), task groups and activities. */
export function createProjectService(deps: {
  db: Kysely<Database>;
  store: AccessStore;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  /** How many tasks use a group or activity; a group that holds tasks cannot be deleted. */
  taskUsage: (kind: 'group' | 'activity', id: string) => Promise<number>;
}) {
  const { db, store, audit, clock, ids } = deps;
  let cached: { at: number; value: ProjectSettings } | undefined;

  async function getSettings(): Promise<ProjectSettings> {
    // Read often (every dispatch): cache briefly; writes in this process invalidate at once.
    if (cached && clock.now() - cached.at < 5000) return cached.value;
    const raw = await store.settings.get('project');
    const parsed = raw ? projectSettingsSchema.safeParse(JSON.parse(raw)) : undefined;
    const value = parsed?.success ? parsed.data : defaultProjectSettings();
    cached = { at: clock.now(), value };
    return value;
  }

  const group = (r: Database['task_groups']) => ({ id: r.id, name: r.name, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString() });
  const activity = (r: Database['activities']) => ({
    id: r.id, name: r.name, description: r.description,
    startsAt: r.starts_at ? new Date(r.starts_at).toISOString() : null, endsAt: r.ends_at ? new Date(r.ends_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  });

  return {
    getSettings,
    async updateSettings(actor: Actor, patch: unknown): Promise<ProjectSettings> {
      const p = projectSettingsPatchSchema.safeParse(patch);
      if (!p.success) throw validationError(issuesToFieldErrors(p.error.issues));
      const next = projectSettingsSchema.parse({ ...(await getSettings()), ...p.data });
      await store.settings.put('project', JSON.stringify(next), clock.now());
      cached = undefined;
      await audit.record(actor, { action: 'settings.update', entityType: 'settings', entityId: 'project', details: p.data });
      return next;
    },

    listGroups: async () => (await db.selectFrom('task_groups').selectAll().orderBy('name').execute()).map(group),
    async createGroup(actor: Actor, name: string) {
      const n = name.trim();
      if (await db.selectFrom('task_groups').select('id').where('name', '=', n).executeTakeFirst()) throw conflict(`a group named ${n} exists`, [{ path: 'name', message: 'is already used' }]);
      const now = clock.now();
      const row = { id: ids.next(), name: n, created_by: actor.id, created_at: now, updated_at: now };
      await db.insertInto('task_groups').values(row).execute();
      await audit.record(actor, { action: 'group.create', entityType: 'group', entityId: row.id, details: { name: n } });
      return group(row);
    },
    async renameGroup(actor: Actor, id: string, name: string) {
      const n = name.trim();
      const clash = await db.selectFrom('task_groups').select('id').where('name', '=', n).where('id', '!=', id).executeTakeFirst();
      if (clash) throw conflict(`a group named ${n} exists`, [{ path: 'name', message: 'is already used' }]);
      const r = await db.updateTable('task_groups').set({ name: n, updated_at: clock.now() }).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound('group', id);
      await audit.record(actor, { action: 'group.update', entityType: 'group', entityId: id, details: { name: n } });
      return group((await db.selectFrom('task_groups').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
    },
    async deleteGroup(actor: Actor, id: string) {
      if ((await deps.taskUsage('group', id)) > 0) throw conflict('the group still holds tasks; move or delete them first');
      const r = await db.deleteFrom('task_groups').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound('group', id);
      await audit.record(actor, { action: 'group.delete', entityType: 'group', entityId: id });
    },

    listActivities: async () => (await db.selectFrom('activities').selectAll().orderBy('created_at', 'desc').execute()).map(activity),
    async saveActivity(actor: Actor, id: string | undefined, input: { name: string; description?: string | null; startsAt?: string | null; endsAt?: string | null }) {
      const n = input.name.trim();
      const clash = await db.selectFrom('activities').select('id').where('name', '=', n).where('id', '!=', id ?? '').executeTakeFirst();
      if (clash) throw conflict(`an activity named ${n} exists`, [{ path: 'name', message: 'is already used' }]);
      const startsAt = input.startsAt ? Date.parse(input.startsAt) : null;
      const endsAt = input.endsAt ? Date.parse(input.endsAt) : null;
      if (startsAt !== null && endsAt !== null && endsAt <= startsAt) throw validationError([{ path: 'endsAt', message: 'must be after startsAt' }]);
      const now = clock.now();
      if (!id) {
        const row = { id: ids.next(), name: n, description: input.description ?? null, starts_at: startsAt, ends_at: endsAt, created_by: actor.id, created_at: now, updated_at: now };
        await db.insertInto('activities').values(row).execute();
        await audit.record(actor, { action: 'activity.create', entityType: 'activity', entityId: row.id, details: { name: n } });
        return activity(row);
      }
      const r = await db.updateTable('activities').set({ name: n, description: input.description ?? null, starts_at: startsAt, ends_at: endsAt, updated_at: now }).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound('activity', id);
      await audit.record(actor, { action: 'activity.update', entityType: 'activity', entityId: id, details: { name: n } });
      return activity(await db.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    },
    async deleteActivity(actor: Actor, id: string) {
      if ((await deps.taskUsage('activity', id)) > 0) throw conflict('the activity still holds tasks; move or delete them first');
      const r = await db.deleteFrom('activities').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound('activity', id);
      await audit.record(actor, { action: 'activity.delete', entityType: 'activity', entityId: id });
    },
  };
}
export type ProjectService = ReturnType<typeof createProjectService>;
