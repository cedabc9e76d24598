import { sql } from 'kysely';
import { propertyType, type EventIngest } from '@wareach/core';
import type { IdSource } from '../../services/ports';
import type { DatabaseHandle } from './database';

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

/** How many user IDs one statement looks up when a batch checks which profiles exist. */
const PROFILE_LOOKUP = 500;

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
  const catalogueRows = (events: EventIngest[]) => {
    const names = new Map<string, { first: number; last: number }>();
    const props = new Set<string>();
    events.forEach((e) => {
      const n = names.get(e.name);
      if (!n) names.set(e.name, { first: e.at, last: e.at });
      else { n.first = Math.min(n.first, e.at); n.last = Math.max(n.last, e.at); }
      for (const [k, v] of Object.entries(e.properties)) {
        const t = propertyType(v);
        if (t) props.add(`${e.name}\u0000${k}\u0000${t}`);
      }
    });
    return { names, props: [...props].map((p) => p.split('\u0000') as [string, string, string]) };
  };

  // Prepared once per store: preparing costs more than running these small statements.
  let statements: ReturnType<typeof prepareSqlite> | undefined;
  const prepareSqlite = (s: NonNullable<DatabaseHandle['sqlite']>) => ({
    findIdentity: s.prepare('SELECT profile_id FROM identities WHERE type = ? AND value = ?').pluck(),
    // Padded with NULL, which matches nothing: one statement per PROFILE_LOOKUP IDs instead of one per ID.
    existingProfiles: s.prepare(`SELECT id FROM profiles WHERE id IN (${Array(PROFILE_LOOKUP).fill('?').join(', ')})`).pluck(),
    insertProfile: s.prepare("INSERT INTO profiles (id, subject_type, timezone, created_at, updated_at) VALUES (?, 'user', NULL, ?, ?) ON CONFLICT (id) DO NOTHING"),
    insertIdentity: s.prepare('INSERT INTO identities (type, value, profile_id) VALUES (?, ?, ?)'),
    insertEvent: s.prepare('INSERT INTO events (profile_id, name, at, properties, message_id, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING'),
    upsertName: s.prepare('INSERT INTO catalogue_events (name, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)'),
    insertProp: s.prepare('INSERT INTO catalogue_event_properties (event_name, property, type) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
  });

  async function ingestSqlite(events: EventIngest[], now: number): Promise<IngestOutcome> {
    const s = handle.sqlite!;
    // Holding Kysely's connection keeps any Kysely transaction from interleaving with these statements.
    const st = (statements ??= prepareSqlite(s));
    const { findIdentity, existingProfiles, insertProfile, insertIdentity, insertEvent, upsertName, insertProp } = st;
    return handle.db.connection().execute(async () => {
      return s.transaction(() => {
        let createdProfiles = 0;
        // Profiles first: identities resolve to their owner or to a new profile; user IDs not known get one.
        const byIdentity = new Map<string, string>();
        const userIds = new Set<string>();
        for (const e of events) {
          if (e.userId) { userIds.add(e.userId); continue; }
          const key = `${e.identity!.type}\u0000${e.identity!.value}`;
          if (byIdentity.has(key)) continue;
          let profileId = findIdentity.get(e.identity!.type, e.identity!.value) as string | undefined;
          if (!profileId) {
            profileId = ids.next();
            insertProfile.run(profileId, now, now);
            insertIdentity.run(e.identity!.type, e.identity!.value, profileId);
            createdProfiles++;
          }
          byIdentity.set(key, profileId);
        }
        const wanted = [...userIds];
        const known = new Set<string>();
        for (let i = 0; i < wanted.length; i += PROFILE_LOOKUP) {
          const part: (string | null)[] = wanted.slice(i, i + PROFILE_LOOKUP);
          while (part.length < PROFILE_LOOKUP) part.push(null);
          for (const id of existingProfiles.all(...part) as string[]) known.add(id);
        }
        for (const id of wanted) if (!known.has(id)) createdProfiles += insertProfile.run(id, now, now).changes;

        let duplicates = 0;
        const out: IngestedEvent[] = [];
        for (const e of events) {
          const profileId = e.userId ?? byIdentity.get(`${e.identity!.type}\u0000${e.identity!.value}`)!;
          const r = insertEvent.run(profileId, e.name, e.at, e.propertiesJson ?? JSON.stringify(e.properties), e.messageId ?? null, now);
          if (r.changes === 0) duplicates++;
          else out.push({ id: Number(r.lastInsertRowid), profileId, name: e.name, at: e.at, properties: e.properties });
        }
        const cat = catalogueRows(events);
        for (const [name, v] of cat.names) upsertName.run(name, v.first, v.last);
        for (const [n, p, t] of cat.props) insertProp.run(n, p, t);
        return { accepted: out.length, duplicates, createdProfiles, events: out };
      })();
    });
  }

  async function ingestPostgres(events: EventIngest[], now: number): Promise<IngestOutcome> {
    return handle.db.transaction().execute(async (trx) => {
      // Resolve identities to profiles, creating the unknown ones.
      const identityKeys = [...new Map(events.filter((e) => !e.userId && e.identity).map((e) => [`${e.identity!.type}\u0000${e.identity!.value}`, e.identity!])).values()];
      const owner = new Map<string, string>();
      let createdProfiles = 0;
      if (identityKeys.length) {
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
      }
      const profileIds = events.map((e) => e.userId ?? owner.get(`${e.identity!.type}\u0000${e.identity!.value}`)!);
      const direct = [...new Set(events.filter((e) => e.userId).map((e) => e.userId!))];
      if (direct.length) {
        const r = await sql`INSERT INTO profiles (id, subject_type, created_at, updated_at) SELECT id, 'user', ${now}::bigint, ${now}::bigint FROM unnest(${direct}::text[]) AS t(id) ON CONFLICT (id) DO NOTHING`.execute(trx);
        createdProfiles += Number(r.numAffectedRows ?? 0);
      }
      const inserted = await sql<{ id: number; ord: number }>`
        INSERT INTO events (profile_id, name, at, properties, message_id, received_at)
        SELECT p, n, a, pr, m, ${now}::bigint FROM unnest(${profileIds}::text[], ${events.map((e) => e.name)}::text[], ${events.map((e) => e.at)}::bigint[], ${events.map((e) => e.propertiesJson ?? JSON.stringify(e.properties))}::text[], ${events.map((e) => e.messageId ?? null)}::text[]) WITH ORDINALITY AS t(p, n, a, pr, m, ord)
        ON CONFLICT (message_id) DO NOTHING RETURNING id`.execute(trx);
      // RETURNING gives inserted rows only; map them back through message ids (events without one always insert).
      const out: IngestedEvent[] = [];
      if (inserted.rows.length === events.length) {
        events.forEach((e, i) => out.push({ id: inserted.rows[i]!.id, profileId: profileIds[i]!, name: e.name, at: e.at, properties: e.properties }));
      } else if (inserted.rows.length) {
        const ids2 = inserted.rows.map((r) => r.id);
        const rows = await trx.selectFrom('events').select(['id', 'profile_id', 'name', 'at', 'properties']).where('id', 'in', ids2).execute();
        for (const r of rows) out.push({ id: r.id, profileId: r.profile_id, name: r.name, at: r.at, properties: JSON.parse(r.properties) as Record<string, unknown> });
      }
      const cat = catalogueRows(events);
      const names = [...cat.names];
      await sql`INSERT INTO catalogue_events (name, first_seen, last_seen) SELECT * FROM unnest(${names.map((n) => n[0])}::text[], ${names.map((n) => n[1].first)}::bigint[], ${names.map((n) => n[1].last)}::bigint[])
        ON CONFLICT (name) DO UPDATE SET first_seen = LEAST(catalogue_events.first_seen, excluded.first_seen), last_seen = GREATEST(catalogue_events.last_seen, excluded.last_seen)`.execute(trx);
      if (cat.props.length) {
        await sql`INSERT INTO catalogue_event_properties (event_name, property, type) SELECT * FROM unnest(${cat.props.map((p) => p[0])}::text[], ${cat.props.map((p) => p[1])}::text[], ${cat.props.map((p) => p[2])}::text[]) ON CONFLICT DO NOTHING`.execute(trx);
      }
      return { accepted: out.length, duplicates: events.length - inserted.rows.length, createdProfiles, events: out };
    });
  }

  return {
    ingest(events: EventIngest[], now: number): Promise<IngestOutcome> {
      if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0, createdProfiles: 0, events: [] });
      return handle.dialect === 'sqlite' ? ingestSqlite(events, now) : ingestPostgres(events, now);
    },
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
