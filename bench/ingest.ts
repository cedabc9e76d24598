/* Bulk import of profiles and events through the product's NDJSON import path, on SQLite and on
   PostgreSQL, against a floor measured in the same run: a plain insert loop of the same rows through the
   same driver into the same tables with their indexes (better-sqlite3 prepared statements in one
   transaction per 5,000 rows; pg unnest() batches of 5,000 rows).
   The NDJSON files are written before any timing, and the import reads them as a stream of bytes, as it
   reads an upload; so neither side pays for making its input. Each phase runs in its own child process
   so its peak RSS is its own. The machine's load average is printed at start, per dialect and at end.
   Sizes: BENCH_PROFILES (default 1,000,000) and BENCH_EVENTS (default 10,000,000); BENCH_NODE_FLAGS adds
   Node/V8 flags to the measured processes (experiments, e.g. `--heap-growing-percent=100`). */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DatabaseHandle as Handle } from '../packages/server/src/adapters/storage/database';
import { IMPORT_TRANSACTION } from '../packages/server/src/services/bulk-import';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const PG_URL = process.env.WAREACH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAMES = ['app_open', 'view_page', 'add_to_cart', 'purchase'];
const CITIES = ['Shanghai', 'Beijing', 'Shenzhen'];
const BASE = Date.parse('2026-09-25T00:00:00Z');
/** Rows of one unnest() statement of the PostgreSQL floor (~335k rows/s in STACK.md's measurement). */
const PG_STATEMENT = 5000;
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

const phone = (i: number) => `+86138${String(i).padStart(8, '0')}`;
function profileLine(i: number): string {
  return JSON.stringify({ id: `u${i}`, identities: { whatsapp: phone(i) }, timezone: 'Asia/Shanghai', attributes: { city: CITIES[i % 3], age: 18 + (i % 50) }, tags: { level: i % 5 } });
}
function eventRow(i: number) {
  const name = NAMES[i % 4]!;
  return { userId: `u${(i * 7919) % PROFILES}`, name, at: BASE + ((i * 613) % (60 * 86_400_000)), properties: name === 'purchase' ? { amount: i % 500, sku: `S${i % 20}` } : { page: `/p${i % 10}` }, messageId: `m${i}` };
}
function eventLine(i: number): string {
  const e = eventRow(i);
  return JSON.stringify({ userId: e.userId, name: e.name, time: new Date(e.at).toISOString(), properties: e.properties, messageId: e.messageId });
}
function writeNdjson(file: string, n: number, line: (i: number) => string) {
  const fd = openSync(file, 'w');
  for (let start = 0; start < n; start += 2000) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(n, start + 2000); i++) parts.push(line(i));
    writeSync(fd, parts.join('\n') + '\n');
  }
  closeSync(fd);
}

type Phase = { dialect: 'sqlite' | 'postgres'; what: 'import' | 'floor'; input: string };

/**
 * The floor: the rows the import writes for the same input (a profile, its identity, two attributes and
 * a tag; an event), by a plain loop, without parsing, validation, identity resolution or catalogue.
 */
async function floorProfiles(handle: Handle, now: number) {
  const chunk = IMPORT_TRANSACTION.profiles.rows;
  const rowsOf = (i: number) => ({ id: `u${i}`, phone: phone(i), city: CITIES[i % 3]!, age: 18 + (i % 50), level: i % 5 });
  if (handle.sqlite) {
    const s = handle.sqlite;
    const profile = s.prepare("INSERT INTO profiles (id, subject_type, timezone, created_at, updated_at) VALUES (?, 'user', 'Asia/Shanghai', ?, ?)");
    const identity = s.prepare("INSERT INTO identities (type, value, profile_id) VALUES ('whatsapp', ?, ?)");
    const attribute = s.prepare('INSERT INTO profile_attributes (profile_id, name, idx, type, v_text, v_num) VALUES (?, ?, 0, ?, ?, ?)');
    const tag = s.prepare("INSERT INTO profile_tags (profile_id, name, type, v_text, v_num) VALUES (?, 'level', 'number', NULL, ?)");
    for (let start = 0; start < PROFILES; start += chunk) {
      s.transaction(() => {
        for (let i = start; i < Math.min(PROFILES, start + chunk); i++) {
          const r = rowsOf(i);
          profile.run(r.id, now, now);
          identity.run(r.phone, r.id);
          attribute.run(r.id, 'city', 'string', r.city, null);
          attribute.run(r.id, 'age', 'number', null, r.age);
          tag.run(r.id, r.level);
        }
      })();
    }
    return;
  }
  const client = await handle.pgPool!.connect();
  for (let start = 0; start < PROFILES; start += chunk) {
    await client.query('BEGIN');
    for (let from = start; from < Math.min(PROFILES, start + chunk); from += PG_STATEMENT) {
      const rows = Array.from({ length: Math.min(PG_STATEMENT, PROFILES - from, start + chunk - from) }, (_, k) => rowsOf(from + k));
      const ids = rows.map((r) => r.id);
      await client.query("INSERT INTO profiles (id, subject_type, timezone, created_at, updated_at) SELECT id, 'user', 'Asia/Shanghai', $2, $2 FROM unnest($1::text[]) AS t(id)", [ids, now]);
      await client.query("INSERT INTO identities (type, value, profile_id) SELECT 'whatsapp', v, p FROM unnest($1::text[], $2::text[]) AS t(v, p)", [rows.map((r) => r.phone), ids]);
      await client.query(
        'INSERT INTO profile_attributes (profile_id, name, idx, type, v_text, v_num) SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::double precision[])',
        [[...ids, ...ids], [...ids.map(() => 'city'), ...ids.map(() => 'age')], [...ids, ...ids].map(() => 0), [...ids.map(() => 'string'), ...ids.map(() => 'number')], [...rows.map((r) => r.city), ...ids.map(() => null)], [...ids.map(() => null), ...rows.map((r) => r.age)]],
      );
      await client.query("INSERT INTO profile_tags (profile_id, name, type, v_text, v_num) SELECT p, 'level', 'number', NULL, v FROM unnest($1::text[], $2::double precision[]) AS t(p, v)", [ids, rows.map((r) => r.level)]);
    }
    await client.query('COMMIT');
  }
  client.release();
}

async function floorEvents(handle: Handle, now: number) {
  const chunk = IMPORT_TRANSACTION.events.rows;
  if (handle.sqlite) {
    const s = handle.sqlite;
    const ins = s.prepare('INSERT INTO events (profile_id, name, at, properties, message_id, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING');
    for (let start = 0; start < EVENTS; start += chunk) {
      s.transaction(() => {
        for (let i = start; i < Math.min(EVENTS, start + chunk); i++) {
          const e = eventRow(i);
          ins.run(e.userId, e.name, e.at, JSON.stringify(e.properties), e.messageId, now);
        }
      })();
    }
    return;
  }
  const client = await handle.pgPool!.connect();
  for (let start = 0; start < EVENTS; start += chunk) {
    await client.query('BEGIN');
    for (let from = start; from < Math.min(EVENTS, start + chunk); from += PG_STATEMENT) {
      const rows = Array.from({ length: Math.min(PG_STATEMENT, EVENTS - from, start + chunk - from) }, (_, k) => eventRow(from + k));
      await client.query(
        'INSERT INTO events (profile_id, name, at, properties, message_id, received_at) SELECT p, n, a, pr, m, $6 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS t(p, n, a, pr, m) ON CONFLICT (message_id) DO NOTHING',
        [rows.map((r) => r.userId), rows.map((r) => r.name), rows.map((r) => r.at), rows.map((r) => JSON.stringify(r.properties)), rows.map((r) => r.messageId), now],
      );
    }
    await client.query('COMMIT');
  }
  client.release();
}

async function phase(p: Phase): Promise<void> {
  const { openDatabase, migrateToLatest } = await import('../packages/server/src/adapters/storage/database');
  const { createContainer } = await import('../packages/server/src/app/container');
  const { testConfig } = await import('../packages/server/test/helpers');
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-bench-'));
  let database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  let schema = '';
  if (p.dialect === 'sqlite') database = { kind: 'sqlite', file: path.join(dir, 'bench.db') };
  else {
    schema = `bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
    await admin.end();
    database = { kind: 'postgres', url: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
  }
  const handle = openDatabase(database, { poolSize: 4 });
  await migrateToLatest(handle.db);
  const out: Record<string, number | string> = { dialect: p.dialect, what: p.what };
  // Where the memory goes: peak RSS when loaded and after each phase, and the largest V8 heap and
  // external (Buffers, typed arrays) seen by a sampler every 100 ms.
  const mb = (bytes: number) => Math.round(bytes / (1 << 20));
  const peakRss = () => Math.round(process.resourceUsage().maxRSS / 1024);
  let mem = { heap: 0, used: 0, external: 0, buffers: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    mem = { heap: Math.max(mem.heap, m.heapTotal), used: Math.max(mem.used, m.heapUsed), external: Math.max(mem.external, m.external), buffers: Math.max(mem.buffers, m.arrayBuffers) };
  }, 100);
  const memory = () => `heap ${mb(mem.heap)} (used ${mb(mem.used)}), external ${mb(mem.external)} (array buffers ${mb(mem.buffers)})`;
  // Rows per second of wall time, and this process's CPU seconds (user + system): under load the CPU time
  // moves less than the wall time, and on SQLite it holds all the work.
  const timed = async (what: 'profiles' | 'events', rows: number, f: () => Promise<unknown>) => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    await f();
    const used = process.cpuUsage(cpu);
    out[`${what}PerSec`] = Math.round(rows / ((performance.now() - t) / 1000));
    out[`${what}Cpu`] = Math.round((used.user + used.system) / 10_000) / 100;
  };
  if (p.what === 'import') {
    const c = createContainer(testConfig(database, dir), { database: handle });
    // Every server and worker process wires the engine's trigger listener. This one stands in for it
    // with no running triggered task, or, with BENCH_TRIGGER_EVENTS=purchase (a quarter of the events),
    // with triggered tasks waiting for those events: the import reads them back for it after each commit.
    const triggerNames = new Set((process.env.BENCH_TRIGGER_EVENTS ?? '').split(',').filter(Boolean));
    c.eventListeners.push(Object.assign(async () => undefined, { eventNames: async () => triggerNames }));
    out.loadedRssMb = peakRss();
    const check = (what: string, s: { accepted: number; errors: unknown[] }, n: number) => {
      if (s.accepted !== n) throw new Error(`imported ${s.accepted} of ${n} ${what}: ${JSON.stringify(s.errors.slice(0, 5))}`);
    };
    await timed('profiles', PROFILES, async () => check('profiles', await c.bulkImport.importProfiles(createReadStream(path.join(p.input, 'profiles.ndjson'))), PROFILES));
    out.profilesRssMb = peakRss();
    out.profilesMemory = memory();
    mem = { heap: 0, used: 0, external: 0, buffers: 0 };
    await timed('events', EVENTS, async () => check('events', await c.bulkImport.importEvents(createReadStream(path.join(p.input, 'events.ndjson'))), EVENTS));
  } else {
    const now = Date.now();
    await timed('profiles', PROFILES, () => floorProfiles(handle, now));
    await timed('events', EVENTS, () => floorEvents(handle, now));
  }
  out.peakRssMb = peakRss();
  clearInterval(sampler);
  out.eventsMemory = memory();
  await handle.close();
  if (schema) {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out) + '\n');
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const n = (x: number) => x.toLocaleString('en');

export async function run(): Promise<void> {
  process.stdout.write(`bulk import: ${n(PROFILES)} profiles, ${n(EVENTS)} events (NDJSON import path vs plain insert loop)\n`);
  process.stdout.write(`load average at start: ${load()}\n`);
  const input = mkdtempSync(path.join(tmpdir(), 'wareach-bench-input-'));
  try {
    writeNdjson(path.join(input, 'profiles.ndjson'), PROFILES, profileLine);
    writeNdjson(path.join(input, 'events.ndjson'), EVENTS, eventLine);
    for (const dialect of DIALECTS) {
      const results: Record<string, Record<string, number | string>> = {};
      for (const what of ['import', 'floor'] as const) {
        const r = spawnSync(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', fileURLToPath(import.meta.url), '--phase', dialect, what, input], { encoding: 'utf8', maxBuffer: 1 << 24, env: process.env });
        if (r.status !== 0) throw new Error(`${dialect} ${what} failed: ${r.stderr}`);
        results[what] = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | string>;
      }
      const imp = results.import!;
      const floor = results.floor!;
      const rows = (what: 'profiles' | 'events') =>
        `${what} ${n(Number(imp[`${what}PerSec`]))}/s (floor ${n(Number(floor[`${what}PerSec`]))}/s, ratio ${(Number(imp[`${what}PerSec`]) / Number(floor[`${what}PerSec`])).toFixed(2)};` +
        ` CPU ${imp[`${what}Cpu`]} s vs ${floor[`${what}Cpu`]} s)`;
      process.stdout.write(
        `${dialect.padEnd(8)} ${rows('profiles')} | ${rows('events')} | peak RSS ${imp.peakRssMb} MB (floor ${floor.peakRssMb} MB;` +
          ` import's peak when loaded ${imp.loadedRssMb}, after profiles ${imp.profilesRssMb};` +
          ` largest in the profiles: ${imp.profilesMemory}; in the events: ${imp.eventsMemory}) | load ${load()}` +
          ` | targets: events ≥ ${dialect === 'sqlite' ? '100k' : '50k'}/s, RSS ≤ 300 MB, ratio ≥ 0.5\n`,
      );
    }
  } finally {
    rmSync(input, { recursive: true, force: true });
  }
  process.stdout.write(`load average at end: ${load()}\n`);
}

const phaseArg = process.argv.indexOf('--phase');
if (phaseArg > 0) {
  void phase({ dialect: process.argv[phaseArg + 1] as Phase['dialect'], what: process.argv[phaseArg + 2] as Phase['what'], input: process.argv[phaseArg + 3]! });
}
