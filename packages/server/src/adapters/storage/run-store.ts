import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema/index';
import type { RunsTable } from './schema/engine';
import { OPEN_STATES } from './delivery-store';

export type RunRow = Selectable<RunsTable>;
export type RunState = 'pending' | 'running' | 'completed' | 'skipped' | 'cancelled';

/**
 * Runs. The run ID is core's `occurrenceId(task, occurrence)`: two schedulers that fire the same
 * occurrence insert the same row, and `create` tells only one of them that it started the run.
 */
export function createRunStore(db: Kysely<Database>) {
  return {
    async create(r: { id: string; taskId: string; kind: 'scheduled' | 'triggered'; occurrenceAt: number; state: RunState }, now: number): Promise<boolean> {
      const res = await db
        .insertInto('runs')
        .values({ id: r.id, task_id: r.taskId, kind: r.kind, occurrence_at: r.occurrenceAt, state: r.state, reason: null, audience_size: 0, paced: 0, created_at: now, started_at: r.state === 'running' ? now : null, finished_at: null })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    get: (id: string) => db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst(),
    async list(taskId: string, limit: number, offset: number): Promise<{ items: RunRow[]; total: number }> {
      const [items, total] = await Promise.all([
        db.selectFrom('runs').selectAll().where('task_id', '=', taskId).orderBy('occurrence_at', 'desc').limit(limit).offset(offset).execute(),
        db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('task_id', '=', taskId).executeTakeFirstOrThrow(),
      ]);
      return { items, total: Number(total.n) };
    },
    /** Conditional: moves the run only from one of `from`. */
    async transition(id: string, from: RunState[], to: RunState, now: number, reason?: string): Promise<boolean> {
      const set: Partial<RunRow> = { state: to };
      if (to === 'running') set.started_at = now;
      if (to === 'completed' || to === 'skipped' || to === 'cancelled') set.finished_at = now;
      if (reason !== undefined) set.reason = reason;
      const r = await db.updateTable('runs').set(set).where('id', '=', id).where('state', 'in', from).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async addAudience(id: string, n: number): Promise<void> {
      if (n) await db.updateTable('runs').set((eb) => ({ audience_size: eb('audience_size', '+', n) })).where('id', '=', id).execute();
    },
    /** addAudience for several runs in one transaction (a trigger batch reaches the runs of many tasks). */
    async addAudienceMany(counts: Map<string, number>): Promise<void> {
      const items = [...counts].filter(([, n]) => n);
      if (items.length) {
        await db.transaction().execute(async (trx) => {
          for (const [id, n] of items) await trx.updateTable('runs').set((eb) => ({ audience_size: eb('audience_size', '+', n) })).where('id', '=', id).execute();
        });
      }
    },
    async addPaced(id: string, n: number): Promise<void> {
      if (n) await db.updateTable('runs').set((eb) => ({ paced: eb('paced', '+', n) })).where('id', '=', id).execute();
    },
    /** Running scheduled runs with nothing left queued or sending: ready to complete. */
    async finishedRunning(): Promise<RunRow[]> {
      return db.selectFrom('runs').selectAll().where('state', '=', 'running').where('kind', '=', 'scheduled')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('deliveries').select('id')
          .whereRef('deliveries.task_id', '=', 'runs.task_id').whereRef('deliveries.run_id', '=', 'runs.id').where(OPEN_STATES))))
        .execute();
    },
    /** Pending runs created before `before` (their fan-out may need handing over again). */
    pendingSince: (before: number) => db.selectFrom('runs').selectAll().where('state', '=', 'pending').where('created_at', '<', before).limit(1000).execute(),
    async pendingOrRunning(taskId: string): Promise<RunRow[]> {
      return db.selectFrom('runs').selectAll().where('task_id', '=', taskId).where('state', 'in', ['pending', 'running']).execute();
    },
  };
}
export type RunStore = ReturnType<typeof createRunStore>;
