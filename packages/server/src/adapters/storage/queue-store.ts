import { sql } from 'kysely';
import type { DatabaseHandle } from './database';

export interface ClaimedJob {
  id: number;
  name: string;
  payload: string;
  attempts: number;
  max_attempts: number;
}

const chunk = <T>(xs: T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

/**
 * SQL of the embedded queue (`queue_jobs`). A job is claimed by a conditional UPDATE that sets its
 * visibility timeout (`locked_until`): only rows that are ready and not held by a live claim match, so
 * two consumers never hold one job at once; on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps concurrent
 * claimers off each other's rows, on SQLite the single writer does. A consumer that dies leaves its
 * claim to expire, and the job is claimed again (attempts counts every claim, so a job that crashes
 * its worker every time still ends as a dead letter).
 */
export function createQueueStore(handle: DatabaseHandle) {
  const { db } = handle;
  const pg = handle.dialect === 'postgres';

  return {
    async insert(rows: { name: string; payload: string; key: string | null; runAt: number; maxAttempts: number }[], now: number): Promise<void> {
      for (const part of chunk(rows, 500)) {
        await db
          .insertInto('queue_jobs')
          .values(part.map((r) => ({ name: r.name, payload: r.payload, job_key: r.key, run_at: r.runAt, attempts: 0, max_attempts: r.maxAttempts, locked_until: null, locked_by: null, last_error: null, dead: 0, created_at: now })))
          .onConflict((oc) => oc.column('job_key').doNothing())
          .execute();
      }
    },

    /**
     * Inserts jobs already claimed by `consumer` until `lockedUntil` (attempt 1), for a consumer of this
     * process that runs them at once: the claim UPDATE a polling consumer would make is not needed.
     * Returns the jobs inserted; one whose key is already queued is not (its row is claimed as usual).
     */
    async insertClaimed(rows: { name: string; payload: string; key: string | null; maxAttempts: number }[], consumer: string, lockedUntil: number, now: number): Promise<ClaimedJob[]> {
      const out: ClaimedJob[] = [];
      for (const part of chunk(rows, 500)) {
        const inserted = await db
          .insertInto('queue_jobs')
          .values(part.map((r) => ({ name: r.name, payload: r.payload, job_key: r.key, run_at: now, attempts: 1, max_attempts: r.maxAttempts, locked_until: lockedUntil, locked_by: consumer, last_error: null, dead: 0, created_at: now })))
          .onConflict((oc) => oc.column('job_key').doNothing())
          .returning(['id', 'name', 'payload', 'attempts', 'max_attempts'])
          .execute();
        for (const row of inserted) out.push({ ...row, id: Number(row.id), attempts: Number(row.attempts), max_attempts: Number(row.max_attempts) });
      }
      return out;
    },

    async claim(name: string, consumer: string, limit: number, now: number, visibilityMs: number): Promise<ClaimedJob[]> {
      const lock = pg ? sql` FOR UPDATE SKIP LOCKED` : sql``;
      const r = await sql<ClaimedJob>`
        UPDATE queue_jobs SET locked_until = ${now + visibilityMs}, locked_by = ${consumer}, attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM queue_jobs
          WHERE dead = 0 AND name = ${name} AND run_at <= ${now} AND (locked_until IS NULL OR locked_until <= ${now})
          ORDER BY run_at, id LIMIT ${limit}${lock}
        ) AND dead = 0 AND (locked_until IS NULL OR locked_until <= ${now})
        RETURNING id, name, payload, attempts, max_attempts`.execute(db);
      return r.rows.map((row) => ({ ...row, id: Number(row.id), attempts: Number(row.attempts), max_attempts: Number(row.max_attempts) }));
    },

    /** Extends a live claim; false when the claim was lost (expired and taken by another consumer). */
    async extend(id: number, consumer: string, until: number): Promise<boolean> {
      const r = await db.updateTable('queue_jobs').set({ locked_until: until }).where('id', '=', id).where('locked_by', '=', consumer).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async complete(id: number, consumer: string): Promise<void> {
      await db.deleteFrom('queue_jobs').where('id', '=', id).where('locked_by', '=', consumer).execute();
    },

    async fail(id: number, consumer: string, error: string, retryAt: number | null): Promise<void> {
      await db
        .updateTable('queue_jobs')
        .set(retryAt === null ? { dead: 1, locked_until: null, locked_by: null, last_error: error } : { run_at: retryAt, locked_until: null, locked_by: null, last_error: error })
        .where('id', '=', id)
        .where('locked_by', '=', consumer)
        .execute();
    },

    async nextRunAt(name: string): Promise<number | null> {
      const r = await db.selectFrom('queue_jobs').select((eb) => eb.fn.min('run_at').as('t')).where('dead', '=', 0).where('name', '=', name).where('locked_until', 'is', null).executeTakeFirst();
      return r?.t == null ? null : Number(r.t);
    },

    async deadLetters(name: string, limit: number) {
      return db.selectFrom('queue_jobs').select(['id', 'payload', 'attempts', 'last_error']).where('dead', '=', 1).where('name', '=', name).orderBy('id').limit(limit).execute();
    },

    async counts(name: string): Promise<{ pending: number; dead: number }> {
      const rows = await db.selectFrom('queue_jobs').select(['dead', (eb) => eb.fn.countAll<number>().as('n')]).where('name', '=', name).groupBy('dead').execute();
      let pending = 0;
      let dead = 0;
      for (const r of rows) {
        if (Number(r.dead) === 1) dead = Number(r.n);
        else pending = Number(r.n);
      }
      return { pending, dead };
    },
  };
}
export type QueueStore = ReturnType<typeof createQueueStore>;
