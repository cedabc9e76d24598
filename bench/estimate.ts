/* Audience estimate over 1M profiles and 10M events, on SQLite and PostgreSQL: the rule
   `city in (…) AND tag level ≥ 2 AND did purchase ≥ 2 times in the last 30 days`, through the product's
   compiler and estimate query. Target: ≤ 1 s on both dialects. Prints the timings, the answer and the
   query plans. The data is written by raw bulk inserts (better-sqlite3 prepared statements; PostgreSQL
   unnest() batches) with secondary indexes dropped during the load and rebuilt after, then ANALYZEd.
   Sizes: BENCH_PROFILES (default 1,000,000), BENCH_EVENTS (default 10,000,000). To iterate on the
   queries without reloading, BENCH_KEEP_DIR (SQLite file directory) and BENCH_KEEP_SCHEMA (PostgreSQL
   schema) keep the data between runs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { AudienceRule } from '@wareach/core';
import { estimateAudience, explainAudience, insertAudienceMembers } from '../packages/server/src/adapters/storage/audience/audience-query';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../packages/server/src/adapters/storage/database';
import type { Database } from '../packages/server/src/adapters/storage/schema/index';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const PG_URL = process.env.WAREACH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NOW = Date.parse('2026-06-01T04:00:00Z');
const DAY = 86_400_000;
const SPAN_DAYS = 180;
const CITIES = ['Shanghai', 'Beijing', 'Shenzhen', 'Guangzhou', 'Jakarta', 'Surabaya', 'São Paulo', 'Rio', 'Lagos', 'Nairobi', 'Delhi', 'Mumbai', 'Manila', 'Cebu', 'Hanoi', 'Saigon', 'Bangkok', 'Dubai', 'Riyadh', 'Cairo'];
const EVENT_NAMES = ['app_open', 'view_page', 'view_page', 'app_open', 'add_to_cart', 'search', 'share', 'purchase', 'view_page', 'app_open'];

export const BENCH_RULE: AudienceRule = {
  kind: 'and',
  children: [
    { kind: 'attribute', name: 'city', valueType: 'string', op: 'in', value: ['Shanghai', 'Shenzhen', 'Jakarta'] },
    { kind: 'tag', name: 'level', valueType: 'number', op: 'gte', value: 2 },
    { kind: 'event', name: 'purchase', did: true, count: { op: 'gte', value: 2 }, filters: [], timeRange: { kind: 'relative', last: 30, unit: 'days' } },
  ],
};

/** A small deterministic generator, so both dialects hold the same rows. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const profileId = (i: number) => `u${String(i).padStart(7, '0')}`;

function* batches<T>(n: number, size: number, make: (i: number) => T): Generator<T[]> {
  for (let start = 0; start < n; start += size) {
    const out: T[] = [];
    for (let i = start; i < Math.min(n, start + size); i++) out.push(make(i));
    yield out;
  }
}

function profileRows() {
  const r = lcg(42);
  return (i: number) => {
    const id = profileId(i);
    return {
      id,
      phone: r() < 0.9 ? `+86138${String(i).padStart(8, '0')}` : null,
      city: CITIES[Math.floor(r() * CITIES.length)]!,
      age: 16 + Math.floor(r() * 60),
      level: 1 + Math.floor(r() * 5),
      persona: ['new', 'loyal', 'dormant'][Math.floor(r() * 3)]!,
    };
  };
}

function eventRows() {
  const r = lcg(7);
  return () => {
    const name = EVENT_NAMES[Math.floor(r() * EVENT_NAMES.length)]!;
    const at = NOW - Math.floor(r() * SPAN_DAYS * DAY);
    const props = name === 'purchase' ? `{"amount":${Math.floor(r() * 500)},"sku":"S${Math.floor(r() * 20)}"}` : `{"page":"/p${Math.floor(r() * 10)}"}`;
    return { profile: profileId(Math.floor(r() * PROFILES)), name, at, props };
  };
}

/** Secondary indexes of the bulk-loaded tables, to drop before the load and rebuild after. */
const LOADED = ['profiles', 'identities', 'profile_attributes', 'profile_tags', 'events'];

async function withoutIndexes(h: DatabaseHandle, load: () => Promise<void>): Promise<void> {
  const db = h.db as Kysely<Database>;
  let defs: { name: string; def: string }[];
  if (h.dialect === 'sqlite') {
    defs = h.sqlite!.prepare(`SELECT name, sql AS def FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${LOADED.map(() => '?').join(',')})`).all(...LOADED) as { name: string; def: string }[];
  } else {
    const r = await sql<{ name: string; def: string }>`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(${LOADED}::text[])
      AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace)`.execute(db);
    defs = r.rows;
  }
  for (const d of defs) await sql`DROP INDEX ${sql.id(d.name)}`.execute(db);
  await load();
  for (const d of defs) await sql.raw(d.def).execute(db);
}

async function loadSqlite(h: DatabaseHandle) {
  const s = h.sqlite!;
  const p = profileRows();
  const ins = {
    profile: s.prepare("INSERT INTO profiles (id, subject_type, timezone, created_at, updated_at) VALUES (?, 'user', NULL, ?, ?)"),
    identity: s.prepare("INSERT INTO identities (type, value, profile_id) VALUES ('whatsapp', ?, ?)"),
    attr: s.prepare('INSERT INTO profile_attributes (profile_id, name, idx, type, v_text, v_num) VALUES (?, ?, 0, ?, ?, ?)'),
    tag: s.prepare('INSERT INTO profile_tags (profile_id, name, type, v_text, v_num) VALUES (?, ?, ?, ?, ?)'),
    event: s.prepare('INSERT INTO events (profile_id, name, at, properties, message_id, received_at) VALUES (?, ?, ?, ?, NULL, ?)'),
  };
  for (const batch of batches(PROFILES, 50_000, p)) {
    s.transaction(() => {
      for (const x of batch) {
        ins.profile.run(x.id, NOW, NOW);
        if (x.phone) ins.identity.run(x.phone, x.id);
        ins.attr.run(x.id, 'city', 'string', x.city, null);
        ins.attr.run(x.id, 'age', 'number', null, x.age);
        ins.tag.run(x.id, 'level', 'number', null, x.level);
        ins.tag.run(x.id, 'persona', 'string', x.persona, null);
      }
    })();
  }
  const e = eventRows();
  for (const batch of batches(EVENTS, 100_000, e)) {
    s.transaction(() => {
      for (const x of batch) ins.event.run(x.profile, x.name, x.at, x.props, NOW);
    })();
  }
}

async function loadPostgres(h: DatabaseHandle) {
  const client = await h.pgPool!.connect();
  try {
    const p = profileRows();
    for (const batch of batches(PROFILES, 20_000, p)) {
      const ids = batch.map((x) => x.id);
      await client.query("INSERT INTO profiles (id, subject_type, created_at, updated_at) SELECT id, 'user', $2, $2 FROM unnest($1::text[]) AS t(id)", [ids, NOW]);
      const withPhone = batch.filter((x) => x.phone);
      await client.query("INSERT INTO identities (type, value, profile_id) SELECT 'whatsapp', v, id FROM unnest($1::text[], $2::text[]) AS t(v, id)", [withPhone.map((x) => x.phone), withPhone.map((x) => x.id)]);
      await client.query(
        `INSERT INTO profile_attributes (profile_id, name, idx, type, v_text, v_num)
         SELECT id, 'city', 0, 'string', c, NULL FROM unnest($1::text[], $2::text[]) AS t(id, c)
         UNION ALL SELECT id, 'age', 0, 'number', NULL, a FROM unnest($1::text[], $3::float8[]) AS t(id, a)`,
        [ids, batch.map((x) => x.city), batch.map((x) => x.age)],
      );
      await client.query(
        `INSERT INTO profile_tags (profile_id, name, type, v_text, v_num)
         SELECT id, 'level', 'number', NULL, l FROM unnest($1::text[], $2::float8[]) AS t(id, l)
         UNION ALL SELECT id, 'persona', 'string', s, NULL FROM unnest($1::text[], $3::text[]) AS t(id, s)`,
        [ids, batch.map((x) => x.level), batch.map((x) => x.persona)],
      );
    }
    const e = eventRows();
    for (const batch of batches(EVENTS, 20_000, e)) {
      await client.query(
        'INSERT INTO events (profile_id, name, at, properties, message_id, received_at) SELECT p, n, a, pr, NULL, $5 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS t(p, n, a, pr)',
        [batch.map((x) => x.profile), batch.map((x) => x.name), batch.map((x) => x.at), batch.map((x) => x.props), NOW],
      );
    }
  } finally {
    client.release();
  }
}

async function openBench(dialect: 'sqlite' | 'postgres') {
  const keepDir = process.env.BENCH_KEEP_DIR;
  const keepSchema = process.env.BENCH_KEEP_SCHEMA;
  const dir = keepDir ?? mkdtempSync(path.join(tmpdir(), 'wareach-bench-estimate-'));
  if (dialect === 'sqlite') {
    const h = openDatabase({ kind: 'sqlite', file: path.join(dir, 'bench.db') });
    return { h, drop: async () => { await h.close(); if (!keepDir) rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = keepSchema ?? `bench_estimate_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(keepSchema ? `CREATE SCHEMA IF NOT EXISTS ${schema}` : `DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  await admin.end();
  const sep = PG_URL.includes('?') ? '&' : '?';
  const h = openDatabase({ kind: 'postgres', url: `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}` }, { poolSize: 2 });
  return {
    h,
    drop: async () => {
      await h.close();
      if (keepSchema) return;
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

async function benchDialect(dialect: 'sqlite' | 'postgres'): Promise<void> {
  const { h, drop } = await openBench(dialect);
  try {
    await migrateToLatest(h.db);
    let t = performance.now();
    const loaded = Number((await h.db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (loaded !== PROFILES) {
      await withoutIndexes(h, () => (dialect === 'sqlite' ? loadSqlite(h) : loadPostgres(h)));
      // PostgreSQL: VACUUM sets the visibility map as autovacuum does on an insert-mostly table, so the
      // covering (name, at, profile_id) index is read without visiting the heap — the steady state.
      await sql.raw(dialect === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE').execute(h.db);
    }
    process.stdout.write(`${dialect}: loaded ${PROFILES.toLocaleString('en')} profiles and ${EVENTS.toLocaleString('en')} events in ${secs(performance.now() - t)}\n`);
    const spec = { rule: BENCH_RULE, now: NOW, subjectType: 'user' };
    const times: number[] = [];
    let answer = { oneIds: 0, sendIds: 0 };
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      answer = await estimateAudience(h.db, dialect, spec);
      times.push(performance.now() - t);
    }
    const first = times[0]!;
    times.sort((a, b) => a - b);
    process.stdout.write(`${dialect}: estimate ${JSON.stringify(answer)}: first run ${secs(first)}, median of 5 ${secs(times[2]!)}, slowest ${secs(times[4]!)} (target ≤ 1 s)\n`);
    t = performance.now();
    const written = await h.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('segment_members').where('segment_id', '=', 'bench-segment').execute();
      return insertAudienceMembers(trx, dialect, 'bench-segment', spec);
    });
    process.stdout.write(`${dialect}: refresh (members written in one transaction): ${written} in ${secs(performance.now() - t)}\n`);
    process.stdout.write(`${dialect}: query plan of the member query\n${await explainAudience(h.db, dialect, spec, dialect === 'postgres')}\n`);
  } finally {
    await drop();
  }
}

export async function run(): Promise<void> {
  process.stdout.write(`audience estimate: ${PROFILES.toLocaleString('en')} profiles, ${EVENTS.toLocaleString('en')} events; rule: city in (3 of 20) AND tag level ≥ 2 AND did purchase ≥ 2 times in the last 30 days\n`);
  const only = process.env.BENCH_DIALECTS?.split(',');
  for (const dialect of ['sqlite', 'postgres'] as const) if (!only || only.includes(dialect)) await benchDialect(dialect);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) void run();
