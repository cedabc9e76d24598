/* CSV audience upload: a file of BENCH_CSV_LINES (default 1,000,000) phone numbers — 0.1 % duplicates and
   0.01 % bad lines — posted as text/csv to POST /api/v1/segments/{id}/csv over loopback, on SQLite and
   on PostgreSQL. Target: ≤ 20 s per million lines with flat memory. Each dialect runs in its own child
   process, so its peak RSS is its own; RSS is also sampled during the upload. */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const LINES = Number(process.env.BENCH_CSV_LINES ?? 1_000_000);
const PG_URL = process.env.WAREACH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('\uFEFFphone,id\r\n');
  let chunk = '';
  for (let i = 0; i < LINES; i++) {
    const n = i % 1000 === 999 ? i - 1 : i;
    chunk += i % 10_000 === 9_999 ? 'not-a-number,\r\n' : i % 2 ? `"+86 139 ${String(n).padStart(8, '0')}",\r\n` : `0086139${String(n).padStart(8, '0')},\r\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function phase(dialect: 'sqlite' | 'postgres', file: string): Promise<void> {
  const { openDatabase } = await import('../packages/server/src/adapters/storage/database');
  const { createContainer } = await import('../packages/server/src/app/container');
  const { bootstrap } = await import('../packages/server/src/app/bootstrap');
  const { buildApp } = await import('../packages/server/src/http/app');
  const { testConfig } = await import('../packages/server/test/helpers');
  const { systemActor } = await import('../packages/server/src/services/ports');
  const { builtinRoleId } = await import('../packages/server/src/services/auth');
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-bench-csv-'));
  let database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  const schema = `bench_csv_${process.pid}`;
  if (dialect === 'sqlite') database = { kind: 'sqlite', file: path.join(dir, 'bench.db') };
  else {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    await admin.end();
    database = { kind: 'postgres', url: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` };
  }
  const c = createContainer(testConfig(database, dir), { database: openDatabase(database, { poolSize: 4 }) });
  await bootstrap(c);
  const app = await buildApp(c, { docs: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const key = (await c.auth.createApiKey(systemActor, { name: 'bench', roleId: builtinRoleId('admin') })).key;
  const headers = { authorization: `Bearer ${key}` };
  const seg = (await (await fetch(`${url}/api/v1/segments`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', kind: 'csv' }) })).json()) as { id: string };

  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let heapPeak = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rssPeak = Math.max(rssPeak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, 100);
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const res = await fetch(`${url}/api/v1/segments/${seg.id}/csv`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/csv' },
    body: createReadStream(file) as unknown as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const summary = (await res.json()) as Record<string, unknown>;
  const wall = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await app.close();
  await c.close();
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
  rmSync(dir, { recursive: true, force: true });
  const { errors: _errors, ...counts } = summary;
  process.stdout.write(JSON.stringify({
    dialect, status: res.status, ...counts, seconds: Number(wall.toFixed(2)), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    linesPerSec: Math.round(LINES / wall), rssBeforeMb: Math.round(rssBefore / 2 ** 20), rssPeakMb: Math.round(rssPeak / 2 ** 20), heapPeakMb: Math.round(heapPeak / 2 ** 20),
  }) + '\n');
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-bench-csvfile-'));
  const file = path.join(dir, 'audience.csv');
  try {
    await writeCsv(file);
    process.stdout.write(`CSV upload: ${LINES.toLocaleString('en')} lines (${(statSync(file).size / 2 ** 20).toFixed(1)} MB; BOM, CRLF, quoted and 00-prefixed numbers, 0.1 % duplicates, 0.01 % bad lines) over HTTP; target ≤ 20 s, flat memory\n`);
    const only = process.env.BENCH_DIALECTS?.split(',');
    for (const dialect of ['sqlite', 'postgres'] as const) {
      if (only && !only.includes(dialect)) continue;
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--phase', dialect, file], { encoding: 'utf8', maxBuffer: 1 << 24, env: process.env });
      if (r.status !== 0) throw new Error(`${dialect} failed: ${r.stderr}`);
      process.stdout.write(r.stdout.trim().split('\n').pop() + '\n');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const phaseArg = process.argv.indexOf('--phase');
if (phaseArg > 0) void phase(process.argv[phaseArg + 1] as 'sqlite' | 'postgres', process.argv[phaseArg + 2]!);
else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) void run();
