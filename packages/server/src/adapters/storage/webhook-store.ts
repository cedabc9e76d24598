import type SQLite from 'better-sqlite3';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { DatabaseHandle } from './database';
import type { Database } from './schema/index';

export interface InboxRow {
  id: number;
  channelId: string;
  body: string;
  attempts: number;
  receivedAt: number;
}

/**
 * The webhook inbox (raw payloads, persisted before we answer Meta, processed afterwards) and the 24-hour
 * service windows that inbound messages open.
 *
 * Claiming is a conditional UPDATE, so several processes can drain one table: a row moves from `pending`
 * (or from a `processing` claim whose lease expired — its process died) to `processing` under one
 * claimant. On PostgreSQL the candidate rows are locked with SKIP LOCKED and the state condition is
 * repeated in the outer WHERE, which PostgreSQL re-checks after waiting on a row lock, so two processes
 * never claim one row; on SQLite the single statement runs under the database's write lock.
 */
export function createWebhookStore(handle: DatabaseHandle) {
  const db: Kysely<Database> = handle.db;
  const sqlite = handle.dialect === 'sqlite';
  // The receive path runs once per webhook POST, so inserts are grouped: while one write is in flight,
  // the payloads that arrive meanwhile queue up and go in the next write, as one transaction — one commit
  // (one WAL flush) for many POSTs under load, no added wait when idle. Each POST is still answered only
  // after its own row is committed. On SQLite the rows go through a prepared statement, while holding
  // Kysely's connection so they never land inside another caller's open transaction.
  let insertStmt: SQLite.Statement<[string, number, string, number]> | undefined;
  type Pending = { channelId: string; body: string; now: number; resolve: (id: number) => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  let writing = false;

  async function insertMany(rows: Pending[]): Promise<number[]> {
    if (handle.sqlite) {
      const sqliteDb = handle.sqlite;
      // Prepared on first use: the container is built before migrations run.
      const stmt = (insertStmt ??= sqliteDb.prepare<[string, number, string, number]>(
        "INSERT INTO webhook_inbox (channel_id, received_at, body, state, attempts, available_at) VALUES (?, ?, ?, 'pending', 0, ?)",
      ));
      return db.connection().execute(async () =>
        sqliteDb.transaction(() => rows.map((r) => Number(stmt.run(r.channelId, r.now, r.body, r.now).lastInsertRowid)))(),
      );
    }
    const inserted = await db
      .insertInto('webhook_inbox')
      .values(rows.map((r) => ({ channel_id: r.channelId, body: r.body, received_at: r.now, state: 'pending', attempts: 0, available_at: r.now })))
      .returning('id')
      .execute();
    return inserted.map((r) => Number(r.id));
  }

  async function writeQueued(): Promise<void> {
    writing = true;
    try {
      while (queue.length) {
        const batch = queue.slice(0, 500);
        queue = queue.slice(batch.length);
        try {
          const ids = await insertMany(batch);
          batch.forEach((p, i) => p.resolve(ids[i] ?? 0));
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      writing = false;
    }
  }

  return {
    insert(channelId: string, body: string, now: number): Promise<number> {
      return new Promise<number>((resolve, reject) => {
        queue.push({ channelId, body, now, resolve, reject });
        if (!writing) void writeQueued();
      });
    },

    async claim(claimant: string, now: number, limit: number, leaseMs: number): Promise<InboxRow[]> {
      const stale = now - leaseMs;
      const claimable = (eb: ExpressionBuilder<Database, 'webhook_inbox'>) =>
        eb.or([
          eb.and([eb('state', '=', 'pending'), eb('available_at', '<=', now)]),
          eb.and([eb('state', '=', 'processing'), eb('claimed_at', '<', stale)]),
        ]);
      const rows = await db
        .updateTable('webhook_inbox')
        .set((eb) => ({ state: 'processing', claimed_by: claimant, claimed_at: now, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', (eb) => {
          let q = eb.selectFrom('webhook_inbox').select('id').where(claimable).orderBy('id').limit(limit);
          if (!sqlite) q = q.forUpdate().skipLocked();
          return q;
        })
        .where(claimable)
        .returning(['id', 'channel_id', 'body', 'attempts', 'received_at'])
        .execute();
      return rows
        .map((r) => ({ id: Number(r.id), channelId: r.channel_id, body: r.body, attempts: Number(r.attempts), receivedAt: Number(r.received_at) }))
        .sort((a, b) => a.id - b.id);
    },

    async complete(claimant: string, ids: number[], now: number): Promise<void> {
      for (let i = 0; i < ids.length; i += 500) {
        await db
          .updateTable('webhook_inbox')
          .set({ state: 'done', processed_at: now, last_error: null })
          .where('id', 'in', ids.slice(i, i + 500))
          .where('claimed_by', '=', claimant)
          .where('state', '=', 'processing')
          .execute();
      }
    },

    /** A failed attempt: back to pending at `retryAt`, or `failed` for good when retryAt is null. */
    async fail(claimant: string, id: number, error: string, now: number, retryAt: number | null): Promise<void> {
      await db
        .updateTable('webhook_inbox')
        .set(retryAt === null
          ? { state: 'failed', processed_at: now, last_error: error, claimed_by: null }
          : { state: 'pending', available_at: retryAt, last_error: error, claimed_by: null, claimed_at: null })
        .where('id', '=', id)
        .where('claimed_by', '=', claimant)
        .execute();
    },

    /** Payloads processed longer ago than `before` are dropped; failed ones are kept for an operator. */
    async purgeDone(before: number): Promise<number> {
      const r = await db.deleteFrom('webhook_inbox').where('state', '=', 'done').where('processed_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async counts(): Promise<Record<string, number>> {
      const rows = await db.selectFrom('webhook_inbox').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },

    async failed(limit: number): Promise<{ id: number; channelId: string; attempts: number; lastError: string | null; receivedAt: number }[]> {
      const rows = await db.selectFrom('webhook_inbox').select(['id', 'channel_id', 'attempts', 'last_error', 'received_at']).where('state', '=', 'failed').orderBy('id').limit(limit).execute();
      return rows.map((r) => ({ id: Number(r.id), channelId: r.channel_id, attempts: Number(r.attempts), lastError: r.last_error, receivedAt: Number(r.received_at) }));
    },

    /** Opens or extends 24-hour windows; a late, older message never moves a window back. */
    async recordInbound(windows: { phone: string; at: number }[]): Promise<void> {
      const latest = new Map<string, number>();
      for (const w of windows) latest.set(w.phone, Math.max(latest.get(w.phone) ?? 0, w.at));
      if (!latest.size) return;
      const values = [...latest].map(([phone, at]) => ({ phone, last_inbound_at: at }));
      await db
        .insertInto('service_windows')
        .values(values)
        .onConflict((oc) =>
          oc.column('phone').doUpdateSet({
            last_inbound_at: sqlite
              ? sql<number>`max(service_windows.last_inbound_at, excluded.last_inbound_at)`
              : sql<number>`greatest(service_windows.last_inbound_at, excluded.last_inbound_at)`,
          }),
        )
        .execute();
    },

    async lastInboundAt(phones: string[]): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      for (let i = 0; i < phones.length; i += 500) {
        const rows = await db.selectFrom('service_windows').selectAll().where('phone', 'in', phones.slice(i, i + 500)).execute();
        for (const r of rows) out.set(r.phone, Number(r.last_inbound_at));
      }
      return out;
    },
  };
}
export type WebhookStore = ReturnType<typeof createWebhookStore>;
