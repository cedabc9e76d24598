import { sql } from 'kysely';
import type { DatabaseHandle } from './database';

export interface TimerRow {
  key: string;
  dueAt: number;
  jobName: string;
  payload: unknown;
  taskId: string | null;
}

/**
 * Durable timers: long waits (delays up to 365 days, deferrals, A-not-B windows) are rows indexed by
 * due time, not delayed queue jobs, so a million waits cost a million small rows and no Redis memory.
 * The key is unique: scheduling the same wait again moves it instead of doubling it.
 */
export function createTimerStore(handle: DatabaseHandle) {
  const { db } = handle;
  const pg = handle.dialect === 'postgres';
  return {
    async schedule(rows: TimerRow[], now: number): Promise<void> {
      for (let i = 0; i < rows.length; i += 500) {
        await db
          .insertInto('timers')
          .values(rows.slice(i, i + 500).map((r) => ({ key: r.key, due_at: r.dueAt, job_name: r.jobName, payload: JSON.stringify(r.payload), task_id: r.taskId, locked_until: null, created_at: now })))
          .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ due_at: eb.ref('excluded.due_at'), payload: eb.ref('excluded.payload'), locked_until: null })))
          .execute();
      }
    },
    async cancel(keys: string[]): Promise<number> {
      if (keys.length === 0) return 0;
      const r = await db.deleteFrom('timers').where('key', 'in', keys).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async cancelByTask(taskId: string): Promise<number> {
      const r = await db.deleteFrom('timers').where('task_id', '=', taskId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    /** Claims due timers for `lockMs`; a poller that dies before removing them lets another hand them over again. */
    async claimDue(now: number, limit: number, lockMs: number): Promise<{ id: number; key: string; jobName: string; payload: unknown }[]> {
      const lock = pg ? sql` FOR UPDATE SKIP LOCKED` : sql``;
      const r = await sql<{ id: number; key: string; job_name: string; payload: string }>`
        UPDATE timers SET locked_until = ${now + lockMs}
        WHERE id IN (
          SELECT id FROM timers WHERE due_at <= ${now} AND (locked_until IS NULL OR locked_until <= ${now})
          ORDER BY due_at LIMIT ${limit}${lock}
        ) AND (locked_until IS NULL OR locked_until <= ${now})
        RETURNING id, key, job_name, payload`.execute(db);
      return r.rows.map((row) => ({ id: Number(row.id), key: row.key, jobName: row.job_name, payload: JSON.parse(row.payload) as unknown }));
    },
    async remove(ids: number[]): Promise<void> {
      for (let i = 0; i < ids.length; i += 500) await db.deleteFrom('timers').where('id', 'in', ids.slice(i, i + 500)).execute();
    },
    async count(): Promise<number> {
      const r = await db.selectFrom('timers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async nextDueAt(): Promise<number | null> {
      const r = await db.selectFrom('timers').select((eb) => eb.fn.min('due_at').as('t')).executeTakeFirst();
      return r?.t == null ? null : Number(r.t);
    },
  };
}
export type TimerStore = ReturnType<typeof createTimerStore>;
