import type SQLite from 'better-sqlite3';
import { catalogueNamesToWrite, EVENT_FIELD, FieldIndex, FieldReader, fieldValues, hasIdentities, mergeCatalogues, type EventBatch, type EventCatalogue, type EventIngest } from '@wareach/core';
import type { IdSource } from '../../services/ports';
import type { IngestedEvent, IngestOutcome, SessionWritten } from './event-store';

/**
 * An event as written, for the event listeners. Its properties are the input's, read only when asked
 * for: a bulk import does not keep the properties it parsed (they are read again from their JSON), and
 * only the trigger engine's matching events need them.
 */
export const storedEvent = (id: number, profileId: string, e: EventIngest): IngestedEvent => ({
  id,
  profileId,
  name: e.name,
  at: e.at,
  get properties() {
    return e.properties;
  },
});

/** How one batch is written: in a session, the ids it keeps; else the events it was packed from (for the listeners). */
export interface BatchOptions {
  /** `catalogue`, when given (PostgreSQL), gathers the batch's catalogue rows for the session to write before its commit. */
  session?: { written: SessionWritten | undefined; catalogue?: EventCatalogue[] };
  source?: readonly EventIngest[];
}

/** The statements of the SQLite event writes, prepared once per store: preparing costs more than running them. */
const prepare = (s: SQLite.Database) => ({
  findIdentity: s.prepare('SELECT profile_id FROM identities WHERE type = ? AND value = ?').pluck(),
  // A profile for each user ID that has none: the IDs come sorted, so the lookups walk the index in order.
  ensureProfiles: s.prepare(
    "INSERT INTO profiles (id, subject_type, timezone, created_at, updated_at) SELECT j.value, 'user', NULL, ?, ? FROM json_each(?) AS j WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = j.value) ON CONFLICT (id) DO NOTHING",
  ),
  insertProfile: s.prepare("INSERT INTO profiles (id, subject_type, timezone, created_at, updated_at) VALUES (?, 'user', NULL, ?, ?) ON CONFLICT (id) DO NOTHING"),
  insertIdentity: s.prepare('INSERT INTO identities (type, value, profile_id) VALUES (?, ?, ?)'),
  insertEvent: s.prepare('INSERT INTO events (profile_id, name, at, properties, message_id, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING'),
  storedName: s.prepare('SELECT first_seen AS first, last_seen AS last FROM catalogue_events WHERE name = ?'),
  upsertName: s.prepare('INSERT INTO catalogue_events (name, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)'),
  insertProp: s.prepare('INSERT INTO catalogue_event_properties (event_name, property, type) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
  begin: s.prepare('BEGIN IMMEDIATE'),
  commit: s.prepare('COMMIT'),
  rollback: s.prepare('ROLLBACK'),
});

type Statements = ReturnType<typeof prepare>;

/** The event store's writes on SQLite (embedded): prepared statements, a value bound at a time. */
export function createSqliteEventWriter(sqlite: SQLite.Database, ids: IdSource) {
  let statements: Statements | undefined;
  const prepared = () => (statements ??= prepare(sqlite));
  /**
   * One batch on SQLite, to run inside a transaction: its own, or a session's. Not a savepoint in a
   * session: SQLite copies every page a savepoint changes into its sub-journal, which for random index
   * inserts more than doubled the CPU time and held hundreds of MB; the session's transaction is what
   * rolls back. Each value is sliced from the batch's text as it is bound: no object an event.
   */
  function ingestSqlite(parts: readonly EventBatch[], now: number, b: BatchOptions): IngestOutcome {
    const st = prepared();
    const live = parts.filter((p) => p.count > 0);
    // Profiles first: identities resolve to their owner or to a new profile; user IDs not known get one.
    const byIdentity = new Map<string, string>();
    let createdProfiles = 0;
    for (const p of live) createdProfiles += resolveProfiles(st, p, now, byIdentity);
    const r = b.session ? insertByProfile(st, live, now, byIdentity, b.session.written) : insertInOrder(st, live, now, byIdentity, b.source!);
    const cat = mergeCatalogues(live.map((p) => p.catalogue));
    // A name whose row is current within the slack is not written again: SQLite's upsert rewrites the
    // row (and commits its page) even when nothing changes.
    const stored = new Map<string, { first: number; last: number }>();
    for (const [name] of cat.names) {
      const row = st.storedName.get(name) as { first: number; last: number } | undefined;
      if (row) stored.set(name, { first: Number(row.first), last: Number(row.last) });
    }
    for (const [name, first, last] of catalogueNamesToWrite(cat.names, stored)) st.upsertName.run(name, first, last);
    for (const [n, p, t] of cat.props) st.insertProp.run(n, p, t);
    return { ...r, createdProfiles };
  }

  /** Each identity of the batch to its profile (into `byIdentity`), creating the unknown ones; a profile for each unknown user ID. */
  function resolveProfiles(st: Statements, p: EventBatch, now: number, byIdentity: Map<string, string>): number {
    let created = 0;
    if (hasIdentities(p)) {
      const [types, values] = [fieldValues(p, EVENT_FIELD.identityType), fieldValues(p, EVENT_FIELD.identityValue)];
      for (let i = 0; i < p.count; i++) {
        const type = types[i];
        if (type === undefined) continue;
        const value = values[i]!;
        const key = `${type}\u0000${value}`;
        if (byIdentity.has(key)) continue;
        let profileId = st.findIdentity.get(type, value) as string | undefined;
        if (!profileId) {
          profileId = ids.next();
          st.insertProfile.run(profileId, now, now);
          st.insertIdentity.run(type, value, profileId);
          created++;
        }
        byIdentity.set(key, profileId);
      }
    }
    if (p.userIds !== '[]') created += st.ensureProfiles.run(now, now, p.userIds).changes;
    return created;
  }

  /** The API's events, in the order given: each stored event is answered against its input. */
  function insertInOrder(st: Statements, parts: readonly EventBatch[], now: number, byIdentity: Map<string, string>, source: readonly EventIngest[]) {
    let duplicates = 0;
    let count = 0;
    const events: IngestedEvent[] = [];
    for (const p of parts) {
      const [users, types, values, names, props, messageIds] = [EVENT_FIELD.userId, EVENT_FIELD.identityType, EVENT_FIELD.identityValue, EVENT_FIELD.name, EVENT_FIELD.properties, EVENT_FIELD.messageId].map((f) => new FieldReader(p, f)) as [FieldReader, FieldReader, FieldReader, FieldReader, FieldReader, FieldReader];
      for (let i = 0; i < p.count; i++) {
        const userId = users.next();
        const [type, value] = [types.next(), values.next()];
        const profileId = userId ?? byIdentity.get(`${type}\u0000${value}`)!;
        const r = st.insertEvent.run(profileId, names.next()!, p.at[i], props.next(), messageIds.next() ?? null, now);
        if (r.changes === 0) duplicates++;
        else events.push(storedEvent(Number(r.lastInsertRowid), profileId, source[count + i]!));
      }
      count += p.count;
    }
    return { accepted: count - duplicates, duplicates, events };
  }

  /**
   * A bulk import's batch in (profile, time) order. The (profile_id, at) index is the one whose inserts
   * land all over the table: in arrival order, a transaction of 50,000 events dirties tens of thousands
   * of its pages, more than the page cache holds, so pages are spilled and written again; in index order
   * each page is written once. At 3M events into an empty table a plain loop of the two orders ran
   * 56k vs 77k rows/s (bench/RESULTS.md). Message IDs repeated within the batch keep the first in
   * arrival order, as inserting in that order would; ids are still consecutive within the session.
   */
  function insertByProfile(st: Statements, parts: readonly EventBatch[], now: number, byIdentity: Map<string, string>, written: SessionWritten | undefined) {
    const total = parts.reduce((n, p) => n + p.count, 0);
    const profileOf = new Array<string>(total);
    const at = new Float64Array(total);
    const partOf = new Uint32Array(total);
    const indexIn = new Uint32Array(total);
    const order: number[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    let g = 0;
    parts.forEach((p, pi) => {
      const [users, types, values, messageIds] = [EVENT_FIELD.userId, EVENT_FIELD.identityType, EVENT_FIELD.identityValue, EVENT_FIELD.messageId].map((f) => new FieldReader(p, f)) as [FieldReader, FieldReader, FieldReader, FieldReader];
      for (let i = 0; i < p.count; i++, g++) {
        const userId = users.next();
        const [type, value] = [types.next(), values.next()];
        const messageId = messageIds.next();
        if (messageId !== undefined) {
          if (seen.has(messageId)) {
            duplicates++;
            continue;
          }
          seen.add(messageId);
        }
        profileOf[g] = userId ?? byIdentity.get(`${type}\u0000${value}`)!;
        at[g] = p.at[i]!;
        partOf[g] = pi;
        indexIn[g] = i;
        order.push(g);
      }
    });
    order.sort((x, y) => (profileOf[x]! < profileOf[y]! ? -1 : profileOf[x]! > profileOf[y]! ? 1 : at[x]! - at[y]! || x - y));
    const field = (f: number) => parts.map((p) => new FieldIndex(p, f));
    const [names, props, messageIds] = [field(EVENT_FIELD.name), field(EVENT_FIELD.properties), field(EVENT_FIELD.messageId)];
    for (const x of order) {
      const [pi, i] = [partOf[x]!, indexIn[x]!];
      const name = names[pi]!.get(i)!;
      const r = st.insertEvent.run(profileOf[x], name, at[x], props[pi]!.get(i), messageIds[pi]!.get(i) ?? null, now);
      if (r.changes === 0) duplicates++;
      else if (written && (!written.names || written.names.has(name))) written.ids.push(Number(r.lastInsertRowid));
    }
    return { accepted: total - duplicates, duplicates, events: [] };
  }

  return { ingest: ingestSqlite, statements: prepared };
}
