import { sql, type RawBuilder, type Transaction } from 'kysely';
import { catalogueNamesToWrite, EVENT_FIELD, fieldRun, fieldValues, hasIdentities, mergeCatalogues, packEvents, type EventBatch, type EventCatalogue, type EventIngest } from '@wareach/core';
import type { IdSource } from '../../services/ports';
import type { DatabaseHandle } from './database';
import { createSqliteEventWriter, storedEvent, type BatchOptions } from './event-write-sqlite';
import { withRetries } from './transient';
import type { Database } from './schema/index';

export interface IngestedEvent {
  id: number;
  profileId: string;
  name: string;
  at: number;
  properties: Record<string, unknown>;
}

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  createdProfiles: number;
  events: IngestedEvent[];
}

/** The ids a session keeps of the events it writes: those of the names given, or of all (`names` undefined). */
export interface SessionWritten {
  names: ReadonlySet<string> | undefined;
  ids: number[];
}

/**
 * A column of a statement as a PostgreSQL text[]: one string split by string_to_array() on chr(1)
 * (chr(2) for NULL), or a text[] literal when a value holds either. pg builds its array literal element by
 * element, quoting and escaping each (every JSON string has quotes): for the 5,000-row statements of a
 * bulk import that was most of what the writing thread allocated, and, living across the statement's
 * round trip, it got promoted out of V8's young generation. JSON.stringify never writes chr(1) or chr(2)
 * raw, and event names cannot hold them.
 */
export function textColumn(values: readonly (string | null | undefined)[]) {
  let plain = values.length > 1 || (values[0] ?? '') !== '';
  for (let i = 0; plain && i < values.length; i++) {
    const v = values[i];
    if (v != null && (v.includes('\u0001') || v.includes('\u0002'))) plain = false;
  }
  if (plain) return sql`string_to_array(${values.map((v) => v ?? '\u0002').join('\u0001')}, chr(1), chr(2))`;
  const parts = values.map((v) => (v == null ? 'NULL' : `"${v.replace(/["\\]/g, '\\$&')}"`));
  return sql`${`{${parts.join(',')}}`}::text[]`;
}

/** A PostgreSQL array literal of numbers or booleans (cast it in the statement), for the same reason. */
export function literalArray(values: readonly (number | boolean | null | undefined)[]): string {
  return `{${values.map((v) => (v == null ? 'NULL' : String(v))).join(',')}}`;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Writes events in bulk, one transaction per call. Idempotent on `messageId` through the unique index:
 * a re-sent event is counted as a duplicate and written nowhere. Unknown one-IDs and identities get a
 * profile, as Segment's track does. The catalogue (event names, property names and types) is updated
 * in the same transaction.
 *
 * Two paths with one behaviour: prepared statements on better-sqlite3 (embedded) and unnest() arrays on
 * PostgreSQL, because row-by-row query building would be the bottleneck of a 10M-event import.
 */
export function createEventStore(handle: DatabaseHandle, ids: IdSource) {
  const sqliteWriter = handle.sqlite ? createSqliteEventWriter(handle.sqlite, ids) : undefined;

  /**
   * One batch on PostgreSQL: a statement a table, each column one string_to_array() parameter. When the
   * batch is `plain` (nearly always), a column is its parts' runs of text joined, so nothing an event is
   * made here; otherwise (a value holding \x01 or \x02) the values go through textColumn's array literal.
   */
  async function ingestPostgres(trx: Transaction<Database>, all: readonly EventBatch[], now: number, b: BatchOptions): Promise<IngestOutcome> {
    const parts = all.filter((p) => p.count > 0);
    const { session, source } = b;
    const count = parts.reduce((n, p) => n + p.count, 0);
    const plain = parts.every((p) => p.plain);
    const column = (field: number): RawBuilder<unknown> =>
      plain ? sql`string_to_array(${parts.map((p) => fieldRun(p, field)).join('\u0001')}, chr(1), chr(2))` : textColumn(parts.flatMap((p) => fieldValues(p, field)));
    const cat = mergeCatalogues(parts.map((p) => p.catalogue));
    const names = column(EVENT_FIELD.name);
    const props = column(EVENT_FIELD.properties);
    const messageIds = column(EVENT_FIELD.messageId);
    const ats = `{${parts.map((p) => p.at.join(',')).join(',')}}`;
    const userIds = `[${parts.map((p) => p.userIds.slice(1, -1)).filter((x) => x !== '').join(',')}]`;
    let profileIds: RawBuilder<unknown>;
    let createdProfiles = 0;
    let resolved: string[] | undefined; // each event's profile, when some are given by identity
    if (!parts.some(hasIdentities)) profileIds = column(EVENT_FIELD.userId);
    else {
      // Resolve identities to profiles, creating the unknown ones.
      const users = parts.flatMap((p) => fieldValues(p, EVENT_FIELD.userId));
      const types = parts.flatMap((p) => fieldValues(p, EVENT_FIELD.identityType));
      const values = parts.flatMap((p) => fieldValues(p, EVENT_FIELD.identityValue));
      const identityKeys = [...new Map(types.flatMap((type, i) => (type === undefined ? [] : [[`${type}\u0000${values[i]}`, { type, value: values[i]! }] as const]))).values()];
      const owner = new Map<string, string>();
      const found = await sql<{ type: string; value: string; profile_id: string }>`
        SELECT i.type, i.value, i.profile_id FROM identities i
        JOIN unnest(${identityKeys.map((k) => k.type)}::text[], ${identityKeys.map((k) => k.value)}::text[]) AS q(type, value)
        ON i.type = q.type AND i.value = q.value`.execute(trx);
      for (const r of found.rows) owner.set(`${r.type}\u0000${r.value}`, r.profile_id);
      const missing = identityKeys.filter((k) => !owner.has(`${k.type}\u0000${k.value}`));
      if (missing.length) {
        const newIds = missing.map(() => ids.next());
        await sql`INSERT INTO profiles (id, subject_type, created_at, updated_at) SELECT id, 'user', ${now}::bigint, ${now}::bigint FROM unnest(${newIds}::text[]) AS t(id)`.execute(trx);
        await sql`INSERT INTO identities (type, value, profile_id) SELECT * FROM unnest(${missing.map((m) => m.type)}::text[], ${missing.map((m) => m.value)}::text[], ${newIds}::text[])`.execute(trx);
        missing.forEach((m, i) => owner.set(`${m.type}\u0000${m.value}`, newIds[i]!));
        createdProfiles += missing.length;
      }
      resolved = users.map((u, i) => u ?? owner.get(`${types[i]}\u0000${values[i]}`)!);
      profileIds = textColumn(resolved);
    }
    if (userIds !== '[]') {
      // Sorted, the lookups walk the primary key in order; OFFSET 0 keeps the planner from turning NOT
      // EXISTS into a hash anti-join, which reads the whole profiles table.
      const r = await sql`INSERT INTO profiles (id, subject_type, created_at, updated_at)
        SELECT id, 'user', ${now}::bigint, ${now}::bigint FROM (SELECT id FROM json_array_elements_text(${userIds}::json) AS j(id) ORDER BY id) AS t
        WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = t.id OFFSET 0) ON CONFLICT (id) DO NOTHING`.execute(trx);
      createdProfiles += Number(r.numAffectedRows ?? 0);
    }
    // In a session, the ids come back only when kept (and only of the names kept).
    const written = session?.written;
    const returning = !session ? sql`RETURNING id` : written ? (written.names ? sql`RETURNING CASE WHEN name = ANY(${[...written.names]}::text[]) THEN id END AS id` : sql`RETURNING id`) : sql``;
    const inserted = await sql<{ id: number | null }>`
      INSERT INTO events (profile_id, name, at, properties, message_id, received_at)
      SELECT p, n, a, pr, m, ${now}::bigint FROM unnest(${profileIds}, ${names}, ${ats}::bigint[], ${props}, ${messageIds}) AS t(p, n, a, pr, m)
      ON CONFLICT (message_id) DO NOTHING ${returning}`.execute(trx);
    const accepted = session && !written ? Number(inserted.numAffectedRows ?? 0) : inserted.rows.length;
    // RETURNING gives inserted rows only; map them back through message ids (events without one always insert).
    const out: IngestedEvent[] = [];
    if (written) {
      for (const r of inserted.rows) if (r.id !== null) written.ids.push(r.id);
    } else if (source && inserted.rows.length === count) {
      const profileOf = resolved ?? parts.flatMap((p) => fieldValues(p, EVENT_FIELD.userId));
      source.forEach((e, i) => out.push(storedEvent(inserted.rows[i]!.id!, profileOf[i]!, e)));
    } else if (source && inserted.rows.length) {
      const ids2 = inserted.rows.map((r) => r.id!);
      const rows = await trx.selectFrom('events').select(['id', 'profile_id', 'name', 'at', 'properties']).where('id', 'in', ids2).execute();
      for (const r of rows) out.push({ id: r.id, profileId: r.profile_id, name: r.name, at: r.at, properties: JSON.parse(r.properties) as Record<string, unknown> });
    }
    // In a session, the catalogue is written once, just before the commit (see `session`).
    if (session?.catalogue) session.catalogue.push(cat);
    else await writeCatalogue(trx, cat);
    return { accepted, duplicates: count - accepted, createdProfiles, events: out };
  }

  /**
   * The catalogue rows of what a transaction wrote, in name order. An updated row stays locked until the
   * commit, so a session writes them last: two sessions side by side wait for each other's commit there,
   * not for each other's whole transaction.
   */
  async function writeCatalogue(trx: Transaction<Database>, cat: EventCatalogue) {
    // Read first (no lock): a name whose row is current within the slack is not written again.
    const stored = await sql<{ name: string; first_seen: string; last_seen: string }>`
      SELECT name, first_seen, last_seen FROM catalogue_events WHERE name = ANY(${cat.names.map((n) => n[0])}::text[])`.execute(trx);
    const toWrite = catalogueNamesToWrite(cat.names, new Map(stored.rows.map((r) => [r.name, { first: Number(r.first_seen), last: Number(r.last_seen) }]))).sort((a, b) => byText(a[0], b[0]));
    if (toWrite.length) {
      await sql`INSERT INTO catalogue_events (name, first_seen, last_seen) SELECT * FROM unnest(${toWrite.map((n) => n[0])}::text[], ${toWrite.map((n) => n[1])}::bigint[], ${toWrite.map((n) => n[2])}::bigint[])
        ON CONFLICT (name) DO UPDATE SET first_seen = LEAST(catalogue_events.first_seen, excluded.first_seen), last_seen = GREATEST(catalogue_events.last_seen, excluded.last_seen)`.execute(trx);
    }
    if (cat.props.length) {
      const props = [...cat.props].sort((a, b) => byText(a.join('\u0000'), b.join('\u0000')));
      await sql`INSERT INTO catalogue_event_properties (event_name, property, type) SELECT * FROM unnest(${props.map((p) => p[0])}::text[], ${props.map((p) => p[1])}::text[], ${props.map((p) => p[2])}::text[]) ON CONFLICT DO NOTHING`.execute(trx);
    }
  }

  const empty = (): IngestOutcome => ({ accepted: 0, duplicates: 0, createdProfiles: 0, events: [] });

  /**
   * Several batches in one transaction: `body` gets an `ingest` for each batch and the transaction
   * commits when it returns (rolls back when it throws). Bulk imports use it, because on SQLite a
   * commit writes every index page the transaction touched, and the random index inserts of 5,000
   * events touch nearly as many pages as those of 50,000. On SQLite the session holds Kysely's
   * connection throughout, so other writers of this process wait (asynchronously) until it commits —
   * keep sessions short; writers of other processes wait in busy_timeout.
   *
   * A session's batches answer counts, not events: the ids of the written events (of the names asked
   * for) go into `written` when given, for `readBack` once committed. Keeping the events themselves
   * until the commit made tens of thousands of objects outlive V8's young generation, which cost more
   * than reading them back.
   */
  async function session<T>(
    body: (ingest: (batch: readonly EventBatch[], now: number) => Promise<Omit<IngestOutcome, 'events'>>) => Promise<T>,
    written?: SessionWritten,
    opts: { replayable?: boolean } = {},
  ): Promise<T> {
    const some = (batch: readonly EventBatch[]) => batch.some((p) => p.count > 0);
    if (handle.dialect !== 'sqlite') {
      const kept = written?.ids.length ?? 0;
      return withRetries(
        () =>
          handle.db.transaction().execute(async (trx) => {
            const catalogue: EventCatalogue[] = [];
            const r = await body((batch, now) => (some(batch) ? ingestPostgres(trx, batch, now, { session: { written, catalogue } }) : Promise.resolve(empty())));
            if (catalogue.length) await writeCatalogue(trx, mergeCatalogues(catalogue));
            return r;
          }),
        opts.replayable,
        () => {
          if (written) written.ids.length = kept; // the rolled-back attempt's ids
        },
      );
    }
    const s = handle.sqlite!;
    const writer = sqliteWriter!;
    const st = writer.statements();
    return handle.db.connection().execute(async () => {
      st.begin.run();
      try {
        const r = await body(async (batch, now) => (some(batch) ? writer.ingest(batch, now, { session: { written } }) : empty()));
        st.commit.run();
        return r;
      } catch (e) {
        if (s.inTransaction) st.rollback.run();
        throw e;
      }
    });
  }

  /** Written events by id (ascending), of the given names if any; erased ones are left out. */
  async function readBack(idList: readonly number[], names?: ReadonlySet<string>): Promise<IngestedEvent[]> {
    if (!idList.length) return [];
    const sorted = [...idList].sort((a, b) => a - b);
    const wanted = new Set(sorted);
    // On SQLite a session's ids are consecutive (it held the write lock): one range scan of the primary
    // key, filtered (the names not asked for are between). On PostgreSQL other writers' ids interleave: by list.
    let q = handle.db.selectFrom('events').select(['id', 'profile_id', 'name', 'at', 'properties']);
    if (names) q = q.where('name', 'in', [...names]);
    const rows = await (handle.dialect === 'sqlite' ? q.where('id', '>=', sorted[0]!).where('id', '<=', sorted.at(-1)!) : q.where('id', 'in', sorted)).orderBy('id').execute();
    return rows.filter((r) => wanted.has(Number(r.id))).map((r) => ({
      id: Number(r.id),
      profileId: r.profile_id,
      name: r.name,
      at: r.at,
      get properties() {
        return JSON.parse(r.properties) as Record<string, unknown>;
      },
    }));
  }

  return {
    ingest(events: EventIngest[], now: number): Promise<IngestOutcome> {
      if (events.length === 0) return Promise.resolve(empty());
      const batch = [packEvents(events)];
      // Holding Kysely's connection keeps any Kysely transaction from interleaving with these statements.
      if (handle.dialect === 'sqlite') return handle.db.connection().execute(async () => handle.sqlite!.transaction(() => sqliteWriter!.ingest(batch, now, { source: events }))());
      // Replayable (it reads only its batch): a race with another writer on a new key is written again.
      return withRetries(() => handle.db.transaction().execute((trx) => ingestPostgres(trx, batch, now, { source: events })), true);
    },
    session,
    readBack,
    /**
     * Events a session's batch should hold. On SQLite, a whole transaction's worth: the batch is written
     * in (profile, time) order (insertByProfile), which pays only when it spans the transaction. On
     * PostgreSQL each batch is a round trip per statement, and 5,000 rows a statement is where unnest()
     * inserts run fastest.
     */
    sessionBatch: handle.dialect === 'sqlite' ? 50_000 : 5_000,
    /**
     * Sessions a bulk import may write side by side. SQLite has one writer. On PostgreSQL one session's
     * backend is busy nearly all of an import (it is what bounds it, and the plain-loop floor alike); two
     * sessions wrote a 4M-event loop at 74k rows/s against 48k for one, three at 70k (two cores). Two
     * sessions can deadlock or race on the same new profile, identity or messageId: the store writes such
     * a session again when its body can be replayed (see `session`).
     */
    sessionLanes: handle.dialect === 'sqlite' ? 1 : 2,
    async timeline(profileId: string, q: { limit: number; before?: number; name?: string }) {
      let query = handle.db.selectFrom('events').select(['id', 'name', 'at', 'properties', 'message_id']).where('profile_id', '=', profileId);
      if (q.before !== undefined) query = query.where('at', '<', q.before);
      if (q.name) query = query.where('name', '=', q.name);
      const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map((r) => ({ id: r.id, name: r.name, time: new Date(r.at).toISOString(), properties: JSON.parse(r.properties) as Record<string, unknown>, messageId: r.message_id }));
    },
    async catalogue() {
      const db = handle.db;
      const [events, props, attrs, tags] = await Promise.all([
        db.selectFrom('catalogue_events').selectAll().orderBy('name').execute(),
        db.selectFrom('catalogue_event_properties').selectAll().orderBy('event_name').orderBy('property').execute(),
        db.selectFrom('catalogue_attributes').selectAll().orderBy('name').execute(),
        db.selectFrom('catalogue_tags').selectAll().orderBy('name').execute(),
      ]);
      return {
        events: events.map((e) => ({
          name: e.name,
          firstSeen: new Date(e.first_seen).toISOString(),
          lastSeen: new Date(e.last_seen).toISOString(),
          properties: props.filter((p) => p.event_name === e.name).map((p) => ({ name: p.property, type: p.type })),
        })),
        attributes: attrs.map((a) => ({ name: a.name, type: a.type })),
        tags: tags.map((t) => ({ name: t.name, type: t.type })),
      };
    },
  };
}
export type EventStore = ReturnType<typeof createEventStore>;
