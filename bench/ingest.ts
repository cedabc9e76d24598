/* Bulk import of profiles and events through the product's NDJSON import path, on SQLite and on
   PostgreSQL, against a floor measured in the same run: a plain insert loop of the same rows through the
   same driver (better-sqlite3 prepared statements in one transaction; pg unnest() batches).
   Each phase runs in its own child process so its peak RSS is its own.
   Sizes: BENCH_PROFILES (default 1,000,000) and BENCH_EVENTS (default 10,000,000). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const PG_URL = process.env.WAREACH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAMES = ['app_open', 'view_page', 'add_to_cart', 'purchase'];
const BASE = Date.parse('2026-09-25T00:00:00Z');

function profileLine(i: number): string {
  return JSON.stringify({ id: `u${i}`, identities: { whatsapp: `+86138${String(i).padStart(8, '0')}` }, timezone: 'Asia/Shanghai', attributes: { city: ['Shanghai', 'Beijing', 'Shenzhen'][i % 3], age: 18 + (i % 50) }, tags: { level: i % 5 } });
}
function eventRow(i: number) {
  const name = NAMES[i % 4]!;
  return { userId: `u${(i * 7919) % PROFILES}`, name, at: BASE + ((i * 613) % (60 * 86_400_000)), properties: name === 'purchase' ? { amount: i % 500, sku: `S${i % 20}` } : { page: `/p${i % 10}` }, messageId: `m${i}` };
}
function eventLine(i: number): string {
  const e = eventRow(i);
  return JSON.stringify({ userId: e.userId, name: e.name, time: new Date(e.at).toISOString(), properties: e.properties, messageId: e.messageId });
}
function ndjson(n: number, line: (i: number) => string): Readable {
  let i = 0;
  return new Readable({
    read() {
      const parts: string[] = [];
      for (let k = 0; k < 2000 && i < n; k++, i++) parts.push(line(i));
      if (parts.length) this.push(parts.join('\n') + '\n');
      if (i >= n) this.push(null);
    },
  });
}

type Phase = { dialect: 'sqlite' | 'postgres'; what: 'import' | 'floor' };

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
  if (p.what === 'import') {
    const c = createContainer(testConfig(database, dir), { database: handle });
    let t = performance.now();
    const ps = await c.bulkImport.importProfiles(ndjson(PROFILES, profileLine));
    out.profiles = ps.accepted;
    out.profilesPerSec = Math.round(ps.accepted / ((performance.now() - t) / 1000));
    t = performance.now();
    const es = await c.bulkImport.importEvents(ndjson(EVENTS, eventLine));
    out.events = es.accepted;
    out.eventsPerSec = Math.round(es.accepted / ((performance.now() - t) / 1000));
    if (ps.refused || es.refused) out.refused = ps.refused + es.refused;
  } else {
    // The floor: the same event rows, inserted by a plain loop through the same driver, into the same
    // table with the same indexes; no parsing, no validation, no catalogue.
    const t = performance.now();
    if (p.dialect === 'sqlite') {
      const s = handle.sqlite!;
      const ins = s.prepare('INSERT INTO events (profile_id, name, at, properties, message_id, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING');
      for (let start = 0; start < EVENTS; start += 5000) {
        s.transaction(() => {
          for (let i = start; i < Math.min(EVENTS, start + 5000); i++) {
            const e = eventRow(i);
            ins.run(e.userId, e.name, e.at, JSON.stringify(e.properties), e.messageId, 0);
          }
        })();
      }
    } else {
      const client = await handle.pgPool!.connect();
      for (let start = 0; start < EVENTS; start += 5000) {
        const rows = Array.from({ length: Math.min(5000, EVENTS - start) }, (_, k) => eventRow(start + k));
        await client.query('BEGIN');
        await client.query(
          'INSERT INTO events (profile_id, name, at, properties, message_id, received_at) SELECT p, n, a, pr, m, 0 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS t(p, n, a, pr, m) ON CONFLICT (message_id) DO NOTHING',
          [rows.map((r) => r.userId), rows.map((r) => r.name), rows.map((r) => r.at), rows.map((r) => JSON.stringify(r.properties)), rows.map((r) => r.messageId)],
        );
        await client.query('COMMIT');
      }
      client.release();
    }
    out.events = EVENTS;
    out.eventsPerSec = Math.round(EVENTS / ((performance.now() - t) / 1000));
  }
  out.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
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

export async function run(): Promise<void> {
  process.stdout.write(`bulk import: ${PROFILES.toLocaleString('en')} profiles, ${EVENTS.toLocaleString('en')} events (NDJSON import path vs plain insert loop)\n`);
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const results: Record<string, Record<string, number>> = {};
    for (const what of ['import', 'floor'] as const) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--phase', dialect, what], { encoding: 'utf8', maxBuffer: 1 << 24, env: process.env });
      if (r.status !== 0) throw new Error(`${dialect} ${what} failed: ${r.stderr}`);
      results[what] = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    }
    const imp = results.import!;
    const floor = results.floor!;
    const ratio = imp.eventsPerSec! / floor.eventsPerSec!;
    process.stdout.write(
      `${dialect.padEnd(8)} profiles ${imp.profilesPerSec!.toLocaleString('en')}/s | events ${imp.eventsPerSec!.toLocaleString('en')}/s (peak RSS ${imp.peakRssMb} MB)` +
        ` | floor ${floor.eventsPerSec!.toLocaleString('en')}/s (peak RSS ${floor.peakRssMb} MB) | ratio ${ratio.toFixed(2)}` +
        ` | targets: ≥ ${dialect === 'sqlite' ? '100k' : '50k'}/s, RSS ≤ 300 MB, ratio ≥ 0.5\n`,
    );
  }
}

const phaseArg = process.argv.indexOf('--phase');
if (phaseArg > 0) {
  void phase({ dialect: process.argv[phaseArg + 1] as Phase['dialect'], what: process.argv[phaseArg + 2] as Phase['what'] });
}
