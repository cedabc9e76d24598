import { createHash } from 'node:crypto';
import type BetterSqlite from 'better-sqlite3';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { mergeStatus, type DeliveryStatus } from '@wareach/core';
import type { Database } from './schema/index';
import type { DeliveriesTable } from './schema/engine';
import { createSqliteDeliveryPaths } from './delivery-store-sqlite';

export type DeliveryRow = Selectable<DeliveriesTable>;

/**
 * The delivery ID is derived from (task, run, recipient), never drawn at random: a fan-out that runs
 * twice (a retried job, a second scheduler) computes the same IDs and the unique key keeps one row.
 * It is `d_` + a hash of (task, run) + `_` + the recipient, so a run's IDs sort as its recipients do:
 * the fan-out inserts them in the audience's order and the dispatcher claims and accepts them in it,
 * so on SQLite each batch touches a few neighbouring pages of the id index instead of one page a row
 * at random (a 300k broadcast, embedded: 281 → 238 µs of CPU a message; bench/RESULTS.md). The id
 * names its recipient: it goes to Meta only sealed (DeliveryRefs in adapters/crypto.ts).
 */
export function deliveryIdFor(taskId: string, runId: string, recipient: string): string {
  return runPrefix(taskId, runId) + recipient;
}
// A fan-out computes the ids of one run thousands at a time, and triggered tasks' streams take turns:
// each run's prefix is hashed once (the cache forgets everything past RUN_PREFIXES runs).
const RUN_PREFIXES = 1_024;
const runPrefixes = new Map<string, string>();
function runPrefix(taskId: string, runId: string): string {
  const key = `${taskId}\u0000${runId}`;
  let prefix = runPrefixes.get(key);
  if (prefix === undefined) {
    if (runPrefixes.size >= RUN_PREFIXES) runPrefixes.clear();
    prefix = 'd_' + createHash('sha256').update(key).digest('base64url').slice(0, 16) + '_';
    runPrefixes.set(key, prefix);
  }
  return prefix;
}

export interface NewDelivery {
  taskId: string;
  runId: string;
  recipient: string;
  profileId: string | null;
  phone: string | null;
  priority: string;
  dueAt: number;
  triggerAt?: number | null;
}

const STAMP: Partial<Record<DeliveryStatus, 'sending_at' | 'accepted_at' | 'delivered_at' | 'read_at' | 'failed_at' | 'skipped_at'>> = {
  sending: 'sending_at',
  accepted: 'accepted_at',
  delivered: 'delivered_at',
  read: 'read_at',
  failed: 'failed_at',
  skipped: 'skipped_at',
};

type Db = Kysely<Database> | Transaction<Database>;

// Literals, not parameters, where a partial index (migration 0005) must match the query's predicate.
const QUEUED = sql.lit<string>('queued');
const SENDING = sql.lit<string>('sending');
const MARKETING_LIMIT = sql.lit<number>(131049);
/**
 * The open states, written exactly as the partial index `deliveries_open` (migration 0007) writes
 * them: SQLite uses a partial index only for a query that carries the same term.
 */
export const OPEN_STATES = sql<boolean>`state in ('queued', 'sending')`;

/**
 * Deliveries: every state change is a conditional UPDATE on the state it expects, so two workers (or
 * a worker and a webhook) racing on one delivery cannot both win, and nothing moves backwards except
 * the one documented release of a claim that provably sent nothing (`release`).
 */
export function createDeliveryStore(db: Kysely<Database>, dialect: 'sqlite' | 'postgres' = 'sqlite', raw?: BetterSqlite.Database) {
  const pg = dialect === 'postgres';
  const fast = raw ? createSqliteDeliveryPaths(db, raw, (d) => deliveryIdFor(d.taskId, d.runId, d.recipient)) : undefined;
  async function insertMany(rows: NewDelivery[], now: number, trx: Db = db): Promise<number> {
    return (await insertNew(rows, now, trx)).size;
  }

  /** Inserts the rows not there yet; returns the ids it inserted (a row already there is left alone). */
  async function insertNew(rows: NewDelivery[], now: number, trx: Db = db): Promise<Set<string>> {
    // The prepared path holds the connection: only outside a caller's transaction.
    if (fast && trx === db) return fast.insertNew(rows, now);
    const inserted = new Set<string>();
    if (pg) {
      // Arrays instead of 24 parameters a row: a fan-out of a million rows is bounded by the disk, not by planning.
      for (let i = 0; i < rows.length; i += 5000) {
        const part = rows.slice(i, i + 5000);
        const col = <T>(f: (d: NewDelivery) => T) => part.map(f);
        const r = await sql`
          insert into deliveries (id, task_id, run_id, recipient, profile_id, phone, state, priority, due_at, trigger_at, cap_granted, attempts, queued_at, updated_at)
          select id, task_id, run_id, recipient, profile_id, phone, 'queued', priority, due_at, trigger_at, 0, 0, ${now}::bigint, ${now}::bigint
          from unnest(${col((d) => deliveryIdFor(d.taskId, d.runId, d.recipient))}::text[], ${col((d) => d.taskId)}::text[], ${col((d) => d.runId)}::text[],
                      ${col((d) => d.recipient)}::text[], ${col((d) => d.profileId)}::text[], ${col((d) => d.phone)}::text[], ${col((d) => d.priority)}::text[],
                      ${col((d) => d.dueAt)}::bigint[], ${col((d) => d.triggerAt ?? null)}::bigint[])
            as t(id, task_id, run_id, recipient, profile_id, phone, priority, due_at, trigger_at)
          on conflict (task_id, run_id, recipient) do nothing
          returning id`.execute(trx);
        for (const row of r.rows as { id: string }[]) inserted.add(row.id);
      }
      return inserted;
    }
    for (let i = 0; i < rows.length; i += 500) {
      const r = await trx
        .insertInto('deliveries')
        .values(rows.slice(i, i + 500).map((d) => ({
          id: deliveryIdFor(d.taskId, d.runId, d.recipient),
          task_id: d.taskId,
          run_id: d.runId,
          recipient: d.recipient,
          profile_id: d.profileId,
          phone: d.phone,
          state: 'queued',
          reason: null,
          priority: d.priority,
          due_at: d.dueAt,
          trigger_at: d.triggerAt ?? null,
          cap_granted: 0,
          wamid: null,
          error_code: null,
          error_title: null,
          attempts: 0,
          queued_at: now,
          updated_at: now,
          sending_at: null, accepted_at: null, delivered_at: null, read_at: null, failed_at: null, skipped_at: null, replied_at: null, clicked_at: null, sent_by: null,
        })))
        .onConflict((oc) => oc.columns(['task_id', 'run_id', 'recipient']).doNothing())
        .returning('id')
        .execute();
      for (const row of r) inserted.add(row.id);
    }
    return inserted;
  }

  const changed = (r: { numUpdatedRows: bigint }) => Number(r.numUpdatedRows) > 0;

  return {
    insertMany,
    insertNew,
    async load(ids: string[]): Promise<DeliveryRow[]> {
      if (fast) return fast.load(ids);
      const out: DeliveryRow[] = [];
      for (let i = 0; i < ids.length; i += 500) out.push(...(await db.selectFrom('deliveries').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()));
      return out;
    },
    get: (id: string) => db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst(),
    byWamid: (wamid: string) => db.selectFrom('deliveries').selectAll().where('wamid', '=', wamid).executeTakeFirst(),

    /** queued → skipped with a reason (a pipeline decision; nothing was sent). */
    async skip(id: string, reason: string, now: number): Promise<boolean> {
      return changed(await db.updateTable('deliveries').set({ state: 'skipped', reason, skipped_at: now, updated_at: now }).where('id', '=', id).where('state', '=', 'queued').executeTakeFirst());
    },
    async skipMany(ids: string[], reason: string, now: number): Promise<number> {
      let n = 0;
      for (let i = 0; i < ids.length; i += 500) {
        const r = await db.updateTable('deliveries').set({ state: 'skipped', reason, skipped_at: now, updated_at: now }).where('id', 'in', ids.slice(i, i + 500)).where('state', '=', 'queued').executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      return n;
    },
    /** queued|sending → failed, with WhatsApp's code and title or our reason. */
    async fail(id: string, f: { reason: string | null; code: number | null; title: string | null }, now: number): Promise<boolean> {
      return changed(
        await db.updateTable('deliveries').set({ state: 'failed', reason: f.reason, error_code: f.code, error_title: f.title?.slice(0, 500) ?? null, failed_at: now, updated_at: now })
          .where('id', '=', id).where('state', 'in', ['queued', 'sending']).executeTakeFirst(),
      );
    },
    /** The exactly-once claim: queued → sending. Only one caller can win it. */
    async claim(id: string, now: number, worker: string | null = null): Promise<boolean> {
      return changed(
        await db.updateTable('deliveries').set((eb) => ({ state: 'sending', sending_at: now, updated_at: now, attempts: eb('attempts', '+', 1), sent_by: worker }))
          .where('id', '=', id).where('state', '=', 'queued').executeTakeFirst(),
      );
    },
    /**
     * The claim for a batch: queued → sending for every id still queued; returns the ids this caller won.
     * A racing job claims a disjoint set (each row moves once).
     */
    async claimMany(ids: string[], now: number, worker: string | null = null): Promise<Set<string>> {
      if (fast) return fast.claim(ids, now, worker);
      const won = new Set<string>();
      if (pg) {
        // One array parameter instead of hundreds: PostgreSQL plans it once, whatever the batch size.
        const r = await sql<{ id: string }>`
          update deliveries set state = 'sending', sending_at = ${now}, updated_at = ${now}, attempts = attempts + 1, sent_by = ${worker}
          where id = any(${ids}::text[]) and state = 'queued' returning id`.execute(db);
        for (const row of r.rows) won.add(row.id);
        return won;
      }
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db.updateTable('deliveries').set((eb) => ({ state: 'sending', sending_at: now, updated_at: now, attempts: eb('attempts', '+', 1), sent_by: worker }))
          .where('id', 'in', ids.slice(i, i + 500)).where('state', '=', 'queued').returning('id').execute();
        for (const r of rows) won.add(r.id);
      }
      return won;
    },
    /**
     * sending → accepted for a batch, each with its wamid and the time WhatsApp answered, in one statement; returns the ids moved (a
     * status webhook may have moved one on already — it carried our id).
     */
    async acceptMany(items: { id: string; wamid: string; at?: number }[], now: number): Promise<Set<string>> {
      if (fast) return fast.accept(items, now);
      const moved = new Set<string>();
      if (pg && items.length) {
        const r = await sql<{ id: string }>`
          update deliveries as d set state = 'accepted', accepted_at = v.at, updated_at = ${now}, wamid = v.wamid
          from unnest(${items.map((x) => x.id)}::text[], ${items.map((x) => x.wamid)}::text[], ${items.map((x) => x.at ?? now)}::bigint[]) as v(id, wamid, at)
          where d.id = v.id and d.state = 'sending' returning d.id`.execute(db);
        for (const row of r.rows) moved.add(row.id);
        return moved;
      }
      for (let i = 0; i < items.length; i += 400) {
        const part = items.slice(i, i + 400);
        const cases = sql.join(part.map((x) => sql`when ${x.id} then ${x.wamid}`), sql` `);
        const times = sql.join(part.map((x) => sql`when ${x.id} then ${x.at ?? now}`), sql` `);
        const r = await sql<{ id: string }>`
          update deliveries set state = 'accepted', accepted_at = case id ${times} end, updated_at = ${now}, wamid = case id ${cases} end
          where id in (${sql.join(part.map((x) => x.id))}) and state = 'sending'
          returning id`.execute(db);
        for (const row of r.rows) moved.add(row.id);
      }
      return moved;
    },
    /** sending → accepted with the wamid. */
    async accept(id: string, wamid: string, now: number): Promise<boolean> {
      return changed(
        await db.updateTable('deliveries').set({ state: 'accepted', wamid, accepted_at: now, updated_at: now }).where('id', '=', id).where('state', '=', 'sending').executeTakeFirst(),
      );
    },
    /**
     * sending → queued: only when the send provably was not accepted (WhatsApp answered with an error,
     * or no request left this process); `dueAt` is when to try again.
     */
    async release(id: string, dueAt: number, now: number, error?: { code: number | null; title: string | null }): Promise<boolean> {
      return changed(
        await db.updateTable('deliveries').set({ state: 'queued', due_at: dueAt, updated_at: now, ...(error ? { error_code: error.code, error_title: error.title } : {}) })
          .where('id', '=', id).where('state', '=', 'sending').executeTakeFirst(),
      );
    },
    /** A queued delivery waits longer (do-not-disturb deferral, pacing, pair rate). */
    async postpone(id: string, dueAt: number, now: number): Promise<boolean> {
      return changed(await db.updateTable('deliveries').set({ due_at: dueAt, updated_at: now }).where('id', '=', id).where('state', '=', 'queued').executeTakeFirst());
    },
    async markCapGranted(trx: Db, ids: string[]): Promise<void> {
      for (let i = 0; i < ids.length; i += 500) await trx.updateTable('deliveries').set({ cap_granted: 1 }).where('id', 'in', ids.slice(i, i + 500)).where('state', '=', 'queued').execute();
    },
    /** Queued deliveries of one profile already due: the candidates "due together" for the caps. */
    async dueForProfile(trx: Db, profileId: string, now: number): Promise<DeliveryRow[]> {
      return trx.selectFrom('deliveries').selectAll().where('profile_id', '=', profileId).where('state', '=', 'queued').where('due_at', '<=', now).where('cap_granted', '=', 0).execute();
    },

    /**
     * Moves a delivery forward by a status (core `mergeStatus`: never backwards). Optimistic: the update
     * holds only if the state is still the one read, else it reads again.
     */
    async applyStatus(row: DeliveryRow, incoming: DeliveryStatus, at: number, error: { code: number | null; title: string | null } | null, wamid: string | null, now: number): Promise<{ row: DeliveryRow; from: DeliveryStatus; to: DeliveryStatus } | null> {
      let current: DeliveryRow | undefined = row;
      for (let i = 0; i < 5 && current; i++) {
        const from = current.state as DeliveryStatus;
        const to = mergeStatus(from, incoming);
        const needsWamid = wamid !== null && current.wamid === null;
        if (to === from && !needsWamid) return null;
        const stamp = STAMP[to];
        const set: Record<string, unknown> = { state: to, updated_at: now };
        if (to !== from && stamp) set[stamp] = at;
        if (needsWamid) set.wamid = wamid;
        if (to === 'accepted' || to === 'delivered' || to === 'read') {
          if (current.accepted_at === null) set.accepted_at = at;
        }
        if (to === 'read' && current.delivered_at === null) set.delivered_at = at;
        if (to === 'failed' && error) {
          set.error_code = error.code;
          set.error_title = error.title;
        }
        const r = await db.updateTable('deliveries').set(set).where('id', '=', current.id).where('state', '=', from).executeTakeFirst();
        if (changed(r)) return { row: { ...current, ...set } as DeliveryRow, from, to };
        current = await db.selectFrom('deliveries').selectAll().where('id', '=', current.id).executeTakeFirst();
      }
      return null;
    },

    async recordInteraction(i: { inboundId: string; deliveryId: string; taskId: string; kind: 'reply' | 'click'; button: string | null; at: number }): Promise<boolean> {
      const r = await db.insertInto('delivery_interactions').values({ inbound_id: i.inboundId, delivery_id: i.deliveryId, task_id: i.taskId, kind: i.kind, button: i.button, at: i.at })
        .onConflict((oc) => oc.column('inbound_id').doNothing()).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      const col = i.kind === 'reply' ? 'replied_at' : 'clicked_at';
      await db.updateTable('deliveries').set({ [col]: i.at }).where('id', '=', i.deliveryId).where(col, 'is', null).execute();
      return true;
    },

    async addUnmatched(s: { wamid: string; status: string; at: number; code: number | null; title: string | null }, now: number): Promise<void> {
      await db.insertInto('unmatched_statuses').values({ wamid: s.wamid, status: s.status, at: s.at, error_code: s.code, error_title: s.title, received_at: now }).execute();
    },
    /** Parked statuses of any of these wamids (taken: deleted as they are returned). */
    async takeUnmatchedMany(wamids: string[]) {
      const out = [];
      for (let i = 0; i < wamids.length; i += 500) {
        const part = wamids.slice(i, i + 500);
        const rows = await db.selectFrom('unmatched_statuses').selectAll().where('wamid', 'in', part).orderBy('at').execute();
        if (rows.length) await db.deleteFrom('unmatched_statuses').where('id', 'in', rows.map((r) => r.id)).execute();
        out.push(...rows);
      }
      return out;
    },
    async takeUnmatched(wamid: string) {
      const rows = await db.selectFrom('unmatched_statuses').selectAll().where('wamid', '=', wamid).orderBy('at').execute();
      if (rows.length) await db.deleteFrom('unmatched_statuses').where('wamid', '=', wamid).execute();
      return rows;
    },

    /** Deliveries claimed (`sending`) before `before`: candidates for reconciliation after a crash. */
    stuckSending: (before: number, limit: number) =>
      db.selectFrom('deliveries').selectAll().where('state', '=', SENDING).where('sending_at', '<', before).orderBy('sending_at').limit(limit).execute(),
    /** Queued deliveries due before `before` and not touched since `idleSince`: their job was lost or held. */
    overdueQueued: (now: number, idleSince: number, limit: number, exceptTasks: string[] = []) => {
      let q = db.selectFrom('deliveries').select(['id', 'task_id', 'run_id']).where('state', '=', QUEUED).where('due_at', '<=', now).where('updated_at', '<', idleSince);
      if (exceptTasks.length) q = q.where('task_id', 'not in', exceptTasks);
      return q.orderBy('due_at').limit(limit).execute();
    },
    async touch(ids: string[], now: number): Promise<void> {
      for (let i = 0; i < ids.length; i += 500) await db.updateTable('deliveries').set({ updated_at: now }).where('id', 'in', ids.slice(i, i + 500)).where('state', '=', 'queued').execute();
    },
    /** Queued deliveries of a task (waits included), for the end time and pause-drop. */
    queuedOfTask: (taskId: string) => db.selectFrom('deliveries').select(['id']).where('task_id', '=', taskId).where(OPEN_STATES).where('state', '=', QUEUED).execute(),
    /** Queued deliveries of a profile in a task waiting on A-not-B windows. */
    waitingFor: (taskId: string, profileId: string) =>
      db.selectFrom('deliveries').selectAll().where('task_id', '=', taskId).where('profile_id', '=', profileId).where('state', '=', 'queued').where('trigger_at', 'is not', null).execute(),

    /** Profiles (of `profileIds`) that one of `taskIds` reached (accepted or further) since `since`. */
    async reachedBy(profileIds: string[], taskIds: string[], since: number | null): Promise<Set<string>> {
      if (!profileIds.length || !taskIds.length) return new Set();
      let q = db.selectFrom('deliveries').select('profile_id').distinct().where('profile_id', 'in', profileIds).where('task_id', 'in', taskIds).where('accepted_at', 'is not', null);
      if (since !== null) q = q.where('accepted_at', '>=', since);
      const rows = await q.execute();
      return new Set(rows.map((r) => r.profile_id!));
    },
    /** Of these phones, those with a 131049 within the hold (no marketing message is attempted yet). */
    async marketingHolds(phones: string[], since: number): Promise<Set<string>> {
      const out = new Set<string>();
      for (let i = 0; i < phones.length; i += 500) {
        const rows = await db.selectFrom('deliveries').select('phone').distinct().where('phone', 'in', phones.slice(i, i + 500)).where('error_code', '=', MARKETING_LIMIT).where('failed_at', '>=', since).execute();
        for (const r of rows) if (r.phone) out.add(r.phone);
      }
      return out;
    },
    /** Profiles' own timezones (do-not-disturb runs in the recipient's timezone when known). */
    async timezones(profileIds: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (let i = 0; i < profileIds.length; i += 500) {
        const rows = await db.selectFrom('profiles').select(['id', 'timezone']).where('id', 'in', profileIds.slice(i, i + 500)).where('timezone', 'is not', null).execute();
        for (const r of rows) if (r.timezone) out.set(r.id, r.timezone);
      }
      return out;
    },
    /** Queued deliveries of these profiles already due and not yet through the caps (the caps' candidates). */
    async dueForProfiles(trx: Db, profileIds: string[], now: number): Promise<DeliveryRow[]> {
      const out: DeliveryRow[] = [];
      for (let i = 0; i < profileIds.length; i += 500) {
        out.push(...(await trx.selectFrom('deliveries').selectAll().where('profile_id', 'in', profileIds.slice(i, i + 500)).where('state', '=', QUEUED).where('due_at', '<=', now).where('cap_granted', '=', 0).execute()));
      }
      return out;
    },
    /** queued → skipped inside a caller's transaction (caps deny in the transaction that counts). */
    async skipManyIn(trx: Db, ids: string[], reason: string, now: number): Promise<void> {
      for (let i = 0; i < ids.length; i += 500) {
        await trx.updateTable('deliveries').set({ state: 'skipped', reason, skipped_at: now, updated_at: now }).where('id', 'in', ids.slice(i, i + 500)).where('state', '=', 'queued').execute();
      }
    },
    /** A 131049 for this phone within the hold: no marketing message is attempted yet. */
    async marketingHoldSince(phone: string, since: number): Promise<boolean> {
      const r = await db.selectFrom('deliveries').select('id').where('phone', '=', phone).where('error_code', '=', MARKETING_LIMIT).where('failed_at', '>=', since).executeTakeFirst();
      return r !== undefined;
    },
  };
}
export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
