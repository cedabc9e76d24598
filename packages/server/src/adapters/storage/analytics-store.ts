import type { Kysely } from 'kysely';
import type { Database } from './schema/index';

export type Scope = { taskIds: string[] } | { runId: string };

/** Aggregations over deliveries and interactions for the analytics API. */
export function createAnalyticsStore(db: Kysely<Database>) {
  /** A run's task as a scalar subquery: deliveries are indexed by (task, run, recipient), not by run alone. */
  const taskOfRun = (runId: string) => db.selectFrom('runs').select('task_id').where('id', '=', runId);
  function base(s: Scope) {
    const q = db.selectFrom('deliveries');
    return 'runId' in s ? q.where('task_id', '=', taskOfRun(s.runId)).where('run_id', '=', s.runId) : q.where('task_id', 'in', s.taskIds.length ? s.taskIds : ['\u0000']);
  }
  return {
    async byStateReason(s: Scope) {
      return base(s).select(['state', 'reason', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['state', 'reason']).execute();
    },
    async failedByCode(s: Scope) {
      return base(s).select(['error_code', (eb) => eb.fn.countAll<number>().as('n')]).where('state', '=', 'failed').groupBy('error_code').execute();
    },
    async reached(s: Scope) {
      return base(s).select([
        (eb) => eb.fn.count<number>('accepted_at').as('sent'),
        (eb) => eb.fn.count<number>('delivered_at').as('delivered'),
        (eb) => eb.fn.count<number>('read_at').as('read'),
        (eb) => eb.fn.count<number>('replied_at').as('replied'),
        (eb) => eb.fn.count<number>('clicked_at').as('clicked'),
        (eb) => eb.fn.min<number>('accepted_at').as('first_at'),
        (eb) => eb.fn.max<number>('accepted_at').as('last_at'),
      ]).executeTakeFirstOrThrow();
    },
    async clicksByButton(s: Scope) {
      let q = db.selectFrom('delivery_interactions').innerJoin('deliveries', 'deliveries.id', 'delivery_interactions.delivery_id')
        .select(['delivery_interactions.button', (eb) => eb.fn.countAll<number>().as('n')]).where('delivery_interactions.kind', '=', 'click');
      q = 'runId' in s ? q.where('deliveries.task_id', '=', taskOfRun(s.runId)).where('deliveries.run_id', '=', s.runId) : q.where('deliveries.task_id', 'in', s.taskIds.length ? s.taskIds : ['\u0000']);
      return q.groupBy('delivery_interactions.button').execute();
    },
    /** Times of sends (accepted) and reads, for the hourly series. */
    async times(s: Scope, column: 'accepted_at' | 'delivered_at' | 'read_at' | 'failed_at', limit = 200_000) {
      return (await base(s).select(column).where(column, 'is not', null).limit(limit).execute()).map((r) => Number((r as Record<string, unknown>)[column]));
    },
    async runAudience(s: Scope) {
      const q = db.selectFrom('runs').select((eb) => eb.fn.sum<number>('audience_size').as('n'));
      const r = await ('runId' in s ? q.where('id', '=', s.runId) : q.where('task_id', 'in', s.taskIds.length ? s.taskIds : ['\u0000'])).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async deliveries(taskId: string, f: { state?: string; reason?: string; runId?: string; limit: number; offset: number }) {
      let q = db.selectFrom('deliveries').where('task_id', '=', taskId);
      if (f.state) q = q.where('state', '=', f.state);
      if (f.reason) q = q.where('reason', '=', f.reason);
      if (f.runId) q = q.where('run_id', '=', f.runId);
      const [items, total] = await Promise.all([
        q.selectAll().orderBy('due_at').orderBy('id').limit(f.limit).offset(f.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items, total: Number(total.n) };
    },
  };
}
export type AnalyticsStore = ReturnType<typeof createAnalyticsStore>;
