/* CSV audience upload: a file of BENCH_CSV_LINES (default 1,000,000) phone numbers — 0.1 % duplicates and
   0.01 % bad lines — posted as text/csv to POST /api/v1/segments/{id}/csv over loopback, on SQLite and
   on PostgreSQL. Target: ≤ 20 s per million lines and a server process of ≤ 300 MB RSS at its peak.
   Each dialect's server runs in a child process of its own and the upload is sent from this one, so the
   child's memory is the server's alone: it samples its process.memoryUsage() every 100 ms from before the
   upload to the answer, and the kernel's high-water mark (VmHWM) gives the true peak. The machine's load
   average is printed with each run, since other work on a small machine stretches the time, and so is the
   CPU time of the main thread and of the busiest other one (the phone-normalising worker): the upload
   cannot be faster than either, and on an idle machine takes about as long as the larger. */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const LINES = Number(process.env.BENCH_CSV_LINES ?? 1_000_000);
const PG_URL = process.env.WAREACH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SAMPLE_MS = 100;
const MB = 2 ** 20;

type Ready = { url: string; key: string; segmentId: string };
type Memory = { rss: number; heapUsed: number; external: number; arrayBuffers: number };
/** Peaks of each figure (MB) over the upload, the RSS before it, and the kernel's peak RSS of the process. */
type Stats = { idle: Memory; peak: Memory; samples: number; hwmMb: number | null; cpuSeconds: number; mainThreadCpu: number | null; otherThreadCpu: number | null };

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

const mb = (m: NodeJS.MemoryUsage): Memory => ({ rss: m.rss / MB, heapUsed: m.heapUsed / MB, external: m.external / MB, arrayBuffers: m.arrayBuffers / MB });
const round = (m: Memory): Memory => ({ rss: Math.round(m.rss), heapUsed: Math.round(m.heapUsed), external: Math.round(m.external), arrayBuffers: Math.round(m.arrayBuffers) });

/** The kernel's peak resident set of this process (Linux), in MB. */
function highWaterMb(): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/** CPU seconds of each thread of this process (Linux; clock ticks of 1/100 s), by thread id. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) / 100);
    }
  } catch {
    // not Linux: no per-thread figures
  }
  return out;
}

/** The server side, in the child: starts the app, then samples its own memory until told the upload is over. */
async function serve(dialect: 'sqlite' | 'postgres'): Promise<void> {
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
  const res = await fetch(`${url}/api/v1/segments`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', kind: 'csv' }) });
  const segmentId = ((await res.json()) as { id: string }).id;

  const idle = mb(process.memoryUsage());
  const peak = { ...idle };
  let samples = 0;
  const sampler = setInterval(() => {
    const m = mb(process.memoryUsage());
    for (const k of Object.keys(peak) as (keyof Memory)[]) peak[k] = Math.max(peak[k], m[k]);
    samples++;
  }, SAMPLE_MS);
  const cpu0 = process.cpuUsage();
  const threads0 = threadCpu();
  process.send!({ url, key, segmentId } satisfies Ready);
  await once(process, 'message');
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const used = [...threadCpu()].map(([tid, s]) => [tid, s - (threads0.get(tid) ?? 0)] as const);
  const main = used.find(([tid]) => tid === String(process.pid))?.[1] ?? null;
  const other = used.length > 1 ? Math.max(...used.filter(([tid]) => tid !== String(process.pid)).map(([, s]) => s)) : null;
  process.send!({
    idle: round(idle), peak: round(peak), samples, hwmMb: highWaterMb(), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    mainThreadCpu: main === null ? null : Number(main.toFixed(2)), otherThreadCpu: other === null ? null : Number(other.toFixed(2)),
  } satisfies Stats);
  await app.close();
  await c.close();
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
  rmSync(dir, { recursive: true, force: true });
  process.disconnect();
}

const nextMessage = async <T>(child: ChildProcess): Promise<T> => {
  const [m] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(([code]) => Promise.reject(new Error(`the server exited (${code})`)))])) as [T];
  return m;
};

async function measure(dialect: 'sqlite' | 'postgres', file: string): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', dialect], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = await nextMessage<Ready>(child);
    const load0 = loadavg()[0]!;
    const t = performance.now();
    const res = await fetch(`${ready.url}/api/v1/segments/${ready.segmentId}/csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ready.key}`, 'content-type': 'text/csv' },
      body: createReadStream(file) as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const summary = (await res.json()) as Record<string, unknown>;
    const wall = (performance.now() - t) / 1000;
    const load1 = loadavg();
    child.send('done');
    const stats = await nextMessage<Stats>(child);
    await once(child, 'exit');
    const { errors: _errors, ...counts } = summary;
    process.stdout.write(JSON.stringify({
      dialect, status: res.status, ...counts, withinTarget: wall <= 20 && Math.max(stats.peak.rss, stats.hwmMb ?? 0) <= 300, seconds: Number(wall.toFixed(2)), serverCpuSeconds: stats.cpuSeconds, mainThreadCpuSeconds: stats.mainThreadCpu, busiestOtherThreadCpuSeconds: stats.otherThreadCpu, linesPerSec: Math.round(LINES / wall),
      serverRssPeakMb: stats.peak.rss, serverRssHwmMb: stats.hwmMb, serverRssBeforeMb: stats.idle.rss, heapBeforeMb: stats.idle.heapUsed,
      heapPeakMb: stats.peak.heapUsed, externalPeakMb: stats.peak.external, arrayBuffersPeakMb: stats.peak.arrayBuffers, samples: stats.samples,
      loadAvg: { before: Number(load0.toFixed(2)), after: load1.map((x) => Number(x.toFixed(2))) },
    }) + '\n');
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-bench-csvfile-'));
  const file = path.join(dir, 'audience.csv');
  try {
    await writeCsv(file);
    process.stdout.write(`CSV upload: ${LINES.toLocaleString('en')} lines (${(statSync(file).size / MB).toFixed(1)} MB; BOM, CRLF, quoted and 00-prefixed numbers, 0.1 % duplicates, 0.01 % bad lines) over HTTP; target ≤ 20 s, server peak RSS ≤ 300 MB\n`);
    process.stdout.write(`server memory in MB: RSS sampled every ${SAMPLE_MS} ms (peak, and before the upload), the kernel's peak (VmHWM, the whole process life), heap/external/arrayBuffers peaks; CPU seconds over the upload of the server process (all threads), of its main thread and of its busiest other thread (the phone-normalising worker): on an idle machine the upload takes about the larger of the two; loadAvg: 1-minute before, and 1/5/15-minute after\n`);
    const only = process.env.BENCH_DIALECTS?.split(',');
    for (const dialect of ['sqlite', 'postgres'] as const) if (!only || only.includes(dialect)) await measure(dialect, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const serveArg = process.argv.indexOf('--serve');
if (serveArg > 0) void serve(process.argv[serveArg + 1] as 'sqlite' | 'postgres');
else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) void run();
