import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { isSqlite } from './migrations/dialect';
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
export function createWebhookStore(db: Kysely<Database>) {
  const sqlite = isSqlite(db as Kysely<unknown>);

  return {
    async insert(channelId: string, body: string, now: number): Promise<number> {
      const r = await db
        .insertInto('webhook_inbox')
        .values({ channel_id: channelId, body, received_at: now, state: 'pending', attempts: 0, available_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(r.id);
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
