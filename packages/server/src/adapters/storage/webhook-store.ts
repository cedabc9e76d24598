import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { DatabaseHandle } from './database';
import type { Database } from './schema/index';

export interface InboxRow {
  id: number;
  channelId: string;
  body: string;
  attempts: number;
  receivedAt: number;
}

/** Rows written in one group at most (a burst bigger than this is written as several groups, in order). */
const MAX_GROUP = 1_000;

type Row = { id: number | string; channel_id: string; body: string; attempts: number | string; received_at: number | string };
const toInboxRow = (r: Row): InboxRow => ({ id: Number(r.id), channelId: r.channel_id, body: r.body, attempts: Number(r.attempts), receivedAt: Number(r.received_at) });

// The hot statements (one per group of POSTs, one or two per drain batch) go to the driver directly, as
// the bulk paths do: prepared once on SQLite, named (prepared once per connection) on PostgreSQL, so no
// query is built, compiled or planned per call.
const SQLITE = {
  insert:
    'INSERT INTO webhook_inbox (channel_id, received_at, body, state, attempts, available_at, claimed_by, claimed_at) ' +
    "VALUES (@channel, @now, @body, CASE WHEN @claimant IS NULL THEN 'pending' ELSE 'processing' END, CASE WHEN @claimant IS NULL THEN 0 ELSE 1 END, @now, @claimant, CASE WHEN @claimant IS NULL THEN NULL ELSE @now END)",
  // Two claimable kinds, each read in id order from the (state, id) index and cut at the limit, then
  // merged: the cost is the batch, not the backlog. (One `state = 'pending' OR state = 'processing'`
  // condition made the engines collect and sort every open row on each claim: with 20,000 rows pending
  // a claim took ~6 ms, so a drain that fell behind fell further behind.) The statement runs under
  // SQLite's write lock: no other process can claim between its read and its write.
  claim:
    "UPDATE webhook_inbox SET state = 'processing', claimed_by = @claimant, claimed_at = @now, attempts = attempts + 1 WHERE id IN (" +
    "SELECT id FROM (SELECT id FROM webhook_inbox WHERE state = 'pending' AND available_at <= @now ORDER BY id LIMIT @limit) UNION ALL " +
    "SELECT id FROM (SELECT id FROM webhook_inbox WHERE state = 'processing' AND claimed_at < @stale ORDER BY id LIMIT @limit) ORDER BY id LIMIT @limit) " +
    'RETURNING id, channel_id, body, attempts, received_at',
  complete:
    "UPDATE webhook_inbox SET state = 'done', processed_at = @now, last_error = NULL WHERE id IN (SELECT value FROM json_each(@ids)) AND claimed_by = @claimant AND state = 'processing'",
  release:
    "UPDATE webhook_inbox SET state = 'pending', claimed_by = NULL, claimed_at = NULL, attempts = max(attempts - 1, 0) WHERE id IN (SELECT value FROM json_each(@ids)) AND claimed_by = @claimant AND state = 'processing'",
} as const;
const PG = {
  // One statement is one transaction. The rows travel as one JSON parameter (JSON.stringify is native;
  // pg escapes text[] elements in JavaScript, which cost more than the rest of the insert), and
  // json_to_recordset yields them in order, so the serial ids come out in queue order: sorted, they
  // pair with the rows.
  insert:
    'INSERT INTO webhook_inbox (channel_id, received_at, body, state, attempts, available_at, claimed_by, claimed_at) ' +
    "SELECT c, t, b, CASE WHEN k IS NULL THEN 'pending' ELSE 'processing' END, CASE WHEN k IS NULL THEN 0 ELSE 1 END, t, k, CASE WHEN k IS NULL THEN NULL ELSE t END " +
    'FROM json_to_recordset($1::json) AS x(c text, t bigint, b text, k text) RETURNING id',
  // As on SQLite, each kind from the index in id order. Candidates are locked with SKIP LOCKED (a row
  // another drain is claiming is passed over, not waited for), and the state condition is repeated in
  // the UPDATE, which PostgreSQL re-checks on the current row version: two processes never claim one row.
  claim:
    "WITH p AS (SELECT id FROM webhook_inbox WHERE state = 'pending' AND available_at <= $2 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED), " +
    "s AS (SELECT id FROM webhook_inbox WHERE state = 'processing' AND claimed_at < $3 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED), " +
    'c AS (SELECT id FROM p UNION ALL SELECT id FROM s ORDER BY id LIMIT $4) ' +
    "UPDATE webhook_inbox w SET state = 'processing', claimed_by = $1, claimed_at = $2, attempts = w.attempts + 1 FROM c " +
    "WHERE w.id = c.id AND ((w.state = 'pending' AND w.available_at <= $2) OR (w.state = 'processing' AND w.claimed_at < $3)) " +
    'RETURNING w.id, w.channel_id, w.body, w.attempts, w.received_at',
  complete:
    "UPDATE webhook_inbox SET state = 'done', processed_at = $2, last_error = NULL WHERE id = ANY($3::bigint[]) AND claimed_by = $1 AND state = 'processing'",
  release:
    "UPDATE webhook_inbox SET state = 'pending', claimed_by = NULL, claimed_at = NULL, attempts = greatest(attempts - 1, 0) WHERE id = ANY($2::bigint[]) AND claimed_by = $1 AND state = 'processing'",
} as const;

/**
 * The webhook inbox (raw payloads, persisted before we answer Meta, processed afterwards) and the 24-hour
 * service windows that inbound messages open.
 *
 * Claiming is a conditional UPDATE, so several processes can drain one table: a row moves from `pending`
 * (or from a `processing` claim whose lease expired — its process died) to `processing` under one
 * claimant. A row may also be stored already claimed, by the drain of the process that received it
 * (`insert`'s claimant; webhooks-drain.ts): it is then that drain's as if claimed at its receive time,
 * and taken over by another once the lease expires, like any claim.
 */
export function createWebhookStore(handle: DatabaseHandle) {
  const db: Kysely<Database> = handle.db;
  const sqlite = handle.dialect === 'sqlite';
  const stmts = new Map<string, SQLite.Statement>();
  /** A SQLite statement by text, prepared on first use (the store is built before migrations run). */
  const prepared = (text: string): SQLite.Statement => {
    let s = stmts.get(text);
    if (!s) stmts.set(text, (s = handle.sqlite!.prepare(text)));
    return s;
  };
  /** Runs raw SQLite work while holding Kysely's connection, so it never lands inside another caller's open transaction. */
  const onSqlite = <T>(f: () => T): Promise<T> => db.connection().execute(async () => f());
  const pgQuery = async <R extends object>(name: keyof typeof PG, values: unknown[]): Promise<R[]> =>
    (await handle.pgPool!.query<R>({ name: `webhook_inbox_${name}`, text: PG[name], values })).rows;

  // Group commit. The receive path runs once per webhook POST, and a commit per POST (a WAL write on
  // SQLite, ~100 µs here; an fsync on PostgreSQL) was a third of the POST's cost. So an insert is not
  // written at once: it joins a queue, and the queue is written as ONE transaction — by a setImmediate
  // scheduled by the first insert of an event-loop turn, i.e. after every request whose bytes arrived
  // in that turn has queued its row (no timer: no added wait when idle, one turn of latency), and again
  // right after each write for the rows that queued while it was in flight (PostgreSQL). Each insert
  // resolves only once the transaction holding its row has committed, so a POST is still answered 200
  // only after its own payload is durably stored. A group that fails is written again row by row, so a
  // row the database refuses fails alone, and when the database itself fails every POST of the group
  // gets its error (5xx; Meta retries) — none is answered 200 unless its row committed.
  // Ids are assigned in queue order, i.e. in order of arrival, which is the order the drain processes.
  type Pending = { channelId: string; body: string; now: number; claimant: string | null; resolve: (id: number) => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  let flushing = false;

  async function insertMany(rows: Pending[]): Promise<number[]> {
    if (sqlite) {
      const stmt = prepared(SQLITE.insert);
      const tx = handle.sqlite!.transaction(() => rows.map((r) => Number(stmt.run({ channel: r.channelId, now: r.now, body: r.body, claimant: r.claimant }).lastInsertRowid)));
      return onSqlite(() => tx());
    }
    const inserted = await pgQuery<{ id: string | number }>('insert', [JSON.stringify(rows.map((p) => ({ c: p.channelId, t: p.now, b: p.body, k: p.claimant })))]);
    return inserted.map((x) => Number(x.id)).sort((a, b) => a - b);
  }

  async function writeGroup(group: Pending[]): Promise<void> {
    let ids: number[];
    try {
      ids = await insertMany(group);
    } catch (e) {
      if (group.length === 1) return group[0]!.reject(e);
      for (const p of group) {
        try {
          p.resolve((await insertMany([p]))[0]!);
        } catch (err) {
          p.reject(err);
        }
      }
      return;
    }
    group.forEach((p, i) => p.resolve(ids[i]!));
  }

  async function flush(): Promise<void> {
    try {
      while (queue.length) {
        const group = queue.length <= MAX_GROUP ? queue : queue.slice(0, MAX_GROUP);
        queue = group === queue ? [] : queue.slice(MAX_GROUP);
        await writeGroup(group);
      }
    } finally {
      flushing = false;
    }
  }

  return {
    /**
     * Stores one payload; resolves with its id once the transaction holding it has committed (group
     * commit, above). With a `claimant` the row is stored already claimed by that drain (attempt 1).
     */
    insert(channelId: string, body: string, now: number, claimant?: string): Promise<number> {
      return new Promise<number>((resolve, reject) => {
        queue.push({ channelId, body, now, claimant: claimant ?? null, resolve, reject });
        if (!flushing) {
          flushing = true;
          setImmediate(() => void flush());
        }
      });
    },

    /** Claims up to `limit` rows, oldest first: pending ones that are due, and claims older than `leaseMs`. */
    async claim(claimant: string, now: number, limit: number, leaseMs: number): Promise<InboxRow[]> {
      const stale = now - leaseMs;
      const rows = sqlite
        ? await onSqlite(() => prepared(SQLITE.claim).all({ claimant, now, stale, limit }) as Row[])
        : await pgQuery<Row>('claim', [claimant, now, stale, limit]);
      return rows.map(toInboxRow).sort((a, b) => a.id - b.id);
    },

    /** Marks the claimant's rows done (rows another drain has taken over meanwhile stay as they are). */
    async complete(claimant: string, ids: number[], now: number): Promise<void> {
      if (!ids.length) return;
      if (sqlite) await onSqlite(() => prepared(SQLITE.complete).run({ claimant, now, ids: JSON.stringify(ids) }));
      else await pgQuery('complete', [claimant, now, ids]);
    },

    /** Gives the claimant's unprocessed rows back (a drain that stops): pending again, their claim not counted as an attempt. */
    async release(claimant: string, ids: number[]): Promise<void> {
      if (!ids.length) return;
      if (sqlite) await onSqlite(() => prepared(SQLITE.release).run({ claimant, ids: JSON.stringify(ids) }));
      else await pgQuery('release', [claimant, ids]);
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
