import { sql, type SqlBool } from 'kysely';
import type { DatabaseHandle } from './database';
import type { TasksTable } from './schema/tasks';

export type TaskRow = TasksTable;
export type TaskPatch = Partial<Omit<TasksTable, 'id' | 'created_at' | 'created_by' | 'version'>>;

export interface TaskQuery {
  states?: string[];
  groupId?: string;
  activityId?: string;
  triggerTypes?: string[];
  /** Case-insensitive substring of the name, or the exact id. */
  text?: string;
  limit: number;
  offset: number;
}

/** Tasks. Every change of state is a conditional write on (id, state, version), so racing writers cannot both win. */
export function createTaskStore(handle: DatabaseHandle) {
  const db = handle.db;
  // A substring test without LIKE, whose wildcards and (on SQLite) missing escape would need care.
  const nameContains = (text: string) =>
    handle.dialect === 'sqlite' ? sql<SqlBool>`instr(name_key, ${text}) > 0` : sql<SqlBool>`strpos(name_key, ${text}::text) > 0`;
  return {
    get: (id: string) => db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst(),
    byNameKey: (nameKey: string) => db.selectFrom('tasks').select(['id', 'name']).where('name_key', '=', nameKey).executeTakeFirst(),
    insert: (row: TaskRow) => db.insertInto('tasks').values(row).execute(),

    /**
     * Writes `patch` and bumps the version when the task is still in `expected.state` at
     * `expected.version`. False when another writer got there first.
     */
    async updateIf(id: string, expected: { state: string; version: number }, patch: TaskPatch): Promise<boolean> {
      const r = await db
        .updateTable('tasks')
        .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('state', '=', expected.state)
        .where('version', '=', expected.version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async delete(id: string, state: string): Promise<boolean> {
      const r = await db.deleteFrom('tasks').where('id', '=', id).where('state', '=', state).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    async list(q: TaskQuery): Promise<{ total: number; rows: TaskRow[] }> {
      let query = db.selectFrom('tasks');
      if (q.states?.length) query = query.where('state', 'in', q.states);
      if (q.triggerTypes?.length) query = query.where('trigger_type', 'in', q.triggerTypes);
      if (q.groupId) query = query.where('group_id', '=', q.groupId);
      if (q.activityId) query = query.where('activity_id', '=', q.activityId);
      if (q.text) {
        const text = q.text.trim();
        query = query.where((eb) => eb.or([nameContains(text.toLowerCase()), eb('id', '=', text)]));
      }
      const [rows, total] = await Promise.all([
        query.selectAll().orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { total: Number(total.n), rows };
    },

    /** Tasks in these states (and trigger types), for the engine's scheduler. */
    runnable: (q: { states: string[]; triggerTypes?: string[] }) => {
      let query = db.selectFrom('tasks').selectAll().where('state', 'in', q.states);
      if (q.triggerTypes?.length) query = query.where('trigger_type', 'in', q.triggerTypes);
      return query.orderBy('id').execute();
    },

    async countUsage(kind: 'group' | 'activity', id: string): Promise<number> {
      const r = await db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).where(kind === 'group' ? 'group_id' : 'activity_id', '=', id).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async idsByLabel(kind: 'group' | 'activity', id: string): Promise<string[]> {
      const rows = await db.selectFrom('tasks').select('id').where(kind === 'group' ? 'group_id' : 'activity_id', '=', id).orderBy('id').execute();
      return rows.map((r) => r.id);
    },

    /** Tasks that are not final and send to this segment (a segment in use cannot be deleted). */
    usingSegment: (segmentId: string) =>
      db.selectFrom('tasks').select(['id', 'name', 'state']).where('audience_segment_id', '=', segmentId).where('state', 'not in', ['completed', 'ended', 'cancelled']).execute(),
  };
}
export type TaskStore = ReturnType<typeof createTaskStore>;
