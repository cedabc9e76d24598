/* npm run bench -- broadcast: a scheduled task to BENCH_RECIPIENTS (default 1,000,000) recipients, sandbox
   with no rate limit (a separate process; status webhooks off, so the figure is the send path alone).
   1. Embedded (SQLite, embedded queue, one process): messages/s from run start to the last accepted send,
      against a plain undici loop posting the same payloads to the same sandbox in the same run (target
      ratio ≥ 0.5); the engine process's peak RSS (target ≤ 512 MB).
   2. PostgreSQL + Redis, two `wareach worker` processes: the same rate (target ratio ≥ 0.35).
   3. The peer: "one BullMQ job per message" (a job per recipient: read the row, claim it, post, record),
      two worker processes on the same PostgreSQL, Redis and sandbox (target: wareach ≥ 2× it).
   BENCH_BROADCAST_PARTS (default embedded,scale,peer) picks parts (the peer needs scale); BENCH_PROFILE_DIR
   writes a CPU profile of the embedded engine process there.
   Every system gets BENCH_CONCURRENCY (default 64) requests in flight per process. Seeding (profiles,
   CSV audience) runs in its own process first, so the measured process's RSS is the engine's. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';
import {
  approveTask, createBenchDatabase, installationEnv, mb, openInstallation, phoneOf, PHONE, REDIS_URL, runPhase, scheduleBroadcast, seedInstallation,
  spawnWorkers, startSandboxChild, TOKEN,
} from './engine-bench-support';

const N = Number(process.env.BENCH_RECIPIENTS ?? 1_000_000);
const C = Number(process.env.BENCH_CONCURRENCY ?? 64);
const FILE = fileURLToPath(import.meta.url);

const body = (i: number) => JSON.stringify({
  messaging_product: 'whatsapp', recipient_type: 'individual', to: phoneOf(i), type: 'template',
  template: { name: 'welcome_offer', language: { code: 'en' } }, biz_opaque_callback_data: `d_${String(i).padStart(32, '0')}`,
});

/** The floor: a plain undici Pool loop, `C` in flight, posting the same payloads to the same sandbox. */
async function plainLoop(url: string, n: number): Promise<number> {
  const pool = new Pool(url, { connections: C, pipelining: 1, keepAliveTimeout: 30_000 });
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => {
    for (let i = next++; i < n; i = next++) {
      const res = await pool.request({ method: 'POST', path: `/sandbox/graph/v23.0/${PHONE}/messages`, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body(i) });
      const json = JSON.parse(await res.body.text()) as { messages?: { id: string }[] };
      if (res.statusCode !== 200 || !json.messages?.[0]?.id) failures++;
    }
  }));
  const rate = n / ((performance.now() - t0) / 1000);
  await pool.close();
  if (failures) throw new Error(`plain loop: ${failures} failures`);
  return rate;
}

interface RunFigures { sent: number; seconds: number; rate: number; rssMB?: number; cpuUsPerMsg?: number; mainUsPerMsg?: number; perWorker?: Record<string, number> }

/** CPU of this process's main thread (the event loop) in ms, from Linux's per-thread accounting. */
function mainThreadCpuMs(): number {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
}

/** Run start (the scheduler created the run) to the last accepted send, from the database. */
async function figures(q: (sql: string) => Promise<Record<string, unknown>[]>, taskId: string): Promise<RunFigures> {
  const [r] = await q(`select min(r.created_at) as started, (select max(accepted_at) from deliveries where task_id = '${taskId}') as last,
    (select count(*) from deliveries where task_id = '${taskId}' and state = 'accepted') as sent from runs r where r.task_id = '${taskId}'`);
  const seconds = (Number(r!.last) - Number(r!.started)) / 1000;
  const sent = Number(r!.sent);
  if (process.env.BENCH_DEBUG) {
    process.stderr.write(JSON.stringify(await q(`select sent_by, count(*) as n, min(queued_at) - ${Number(r!.started)} as q0, max(queued_at) - ${Number(r!.started)} as q1, min(sending_at) - ${Number(r!.started)} as s0, max(accepted_at) - ${Number(r!.started)} as a1 from deliveries where task_id = '${taskId}' group by sent_by`)) + '\n');
  }
  const perWorker = Object.fromEntries((await q(`select sent_by, count(*) as n from deliveries where task_id = '${taskId}' group by sent_by`)).map((x) => [String(x.sent_by), Number(x.n)]));
  return { sent, seconds, rate: sent / seconds, perWorker };
}

async function waitSettled(done: () => Promise<boolean>, what: string) {
  const until = Date.now() + Math.max(600_000, N * 10);
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`${what}: not finished in time`);
    // Rarely: in the embedded phase this check runs on the engine's own connection, and the figures
    // come from the deliveries' timestamps, not from when this loop notices the end.
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

/**
 * A run is done when the scheduler has completed it: its fan-out is over and none of its deliveries is
 * queued or sending. The check reads the runs table only: counting a million deliveries every three
 * seconds was itself a large share of the database's work at 1M (a scan of the task's rows, and of
 * every dead version of them, each time). Once done, one count confirms every delivery settled.
 */
function runDone(q: (sql: string) => Promise<Record<string, unknown>[]>, taskId: string) {
  return async () => {
    const [r] = await q(`select count(*) as n from runs where task_id = '${taskId}' and state = 'completed'`);
    return Number(r!.n) > 0;
  };
}

async function confirmSettled(q: (sql: string) => Promise<Record<string, unknown>[]>, taskId: string, what: string) {
  const [r] = await q(`select count(*) as n from deliveries where task_id = '${taskId}' and state not in ('queued', 'sending')`);
  if (Number(r!.n) !== N) throw new Error(`${what}: the run completed with ${Number(r!.n)} of ${N} deliveries settled`);
}

// ---- phases (child processes) -------------------------------------------------------------------

/** Seeds the installation and schedules the broadcast; prints the task id. */
async function seedPhase() {
  const c = await openInstallation(process.env as Record<string, string>);
  const seeded = await seedInstallation(c, { sandboxUrl: process.env.BENCH_SANDBOX_URL!, n: N });
  // Approved later, once the workers run: the measured run starts with every worker up.
  const taskId = await scheduleBroadcast(c, seeded, new Date(Date.now() + 1_000), 'bench broadcast', false);
  await c.close();
  process.stdout.write(JSON.stringify({ taskId }) + '\n');
}

/** The embedded engine in this process until the run is done; prints its figures and peak RSS. */
async function embeddedPhase() {
  const { wireEngine } = await import('../packages/server/src/app/engine-wiring');
  const { sql } = await import('kysely');
  const c = await openInstallation(process.env as Record<string, string>);
  const taskId = process.env.BENCH_TASK_ID!;
  const engine = wireEngine(c);
  engine.start();
  // The engine's CPU per message (all threads of this process, from approval to the end): steadier than
  // wall time when other work shares the machine.
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  await approveTask(c, taskId);
  const q = async (text: string) => (await sql.raw<Record<string, unknown>>(text).execute(c.db)).rows;
  await waitSettled(runDone(q, taskId), 'embedded run');
  const cpu = process.cpuUsage(cpu0);
  const mainMs = mainThreadCpuMs() - main0;
  await confirmSettled(q, taskId, 'embedded run');
  const f = await figures(q, taskId);
  await engine.close();
  await c.close();
  process.stdout.write(JSON.stringify({ ...f, rssMB: mb(process.resourceUsage().maxRSS * 1024), cpuUsPerMsg: Math.round((cpu.user + cpu.system) / f.sent), mainUsPerMsg: Math.round((mainMs * 1000) / f.sent) }) + '\n');
}

async function approvePhase() {
  const c = await openInstallation(process.env as Record<string, string>);
  await approveTask(c, process.env.BENCH_TASK_ID!);
  await c.close();
  process.stdout.write('{}\n');
}

/** One worker of the peer design: a BullMQ job per message. */
async function peerWorkerPhase() {
  const { Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const db = new pg.Pool({ connectionString: process.env.BENCH_PG_URL!, max: 10 });
  const http = new Pool(process.env.BENCH_SANDBOX_URL!, { connections: C, pipelining: 1, keepAliveTimeout: 30_000 });
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const worker = new Worker('peer-send', async (job) => {
    const id = (job.data as { id: string }).id;
    const row = (await db.query<{ i: number }>('select i from peer_messages where id = $1', [id])).rows[0]!;
    const claimed = await db.query(`update peer_messages set state = 'sending' where id = $1 and state = 'queued'`, [id]);
    if (claimed.rowCount === 0) return;
    const res = await http.request({ method: 'POST', path: `/sandbox/graph/v23.0/${PHONE}/messages`, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body(row.i) });
    const json = JSON.parse(await res.body.text()) as { messages?: { id: string }[] };
    await db.query(`update peer_messages set state = 'accepted', wamid = $2, accepted_at = $3 where id = $1`, [id, json.messages?.[0]?.id ?? null, Date.now()]);
  }, { connection, prefix: process.env.BENCH_PEER_PREFIX!, concurrency: C });
  process.stdout.write('peer worker running\n');
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await worker.close();
  await connection.quit();
  await http.close();
  await db.end();
}

// ---- the run (parent) -----------------------------------------------------------------------------

async function embedded(sandboxUrl: string): Promise<RunFigures> {
  const db = await createBenchDatabase('sqlite');
  try {
    const env = { ...installationEnv(db, { WAREACH_WORKER_CONCURRENCY: String(C) }), BENCH_SANDBOX_URL: sandboxUrl };
    const { taskId } = await runPhase<{ taskId: string }>(FILE, 'seed', env);
    const prof = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    return await runPhase<RunFigures>(FILE, 'embedded', { ...env, BENCH_TASK_ID: taskId }, prof);
  } finally {
    await db.drop();
  }
}

async function scaleOut(sandboxUrl: string): Promise<RunFigures> {
  const db = await createBenchDatabase('postgres');
  const prefix = `wareach-bench-${randomBytes(4).toString('hex')}`;
  const env = { ...installationEnv(db, { WAREACH_WORKER_CONCURRENCY: String(C), WAREACH_REDIS_URL: REDIS_URL, WAREACH_REDIS_PREFIX: prefix }), BENCH_SANDBOX_URL: sandboxUrl };
  const client = new pg.Client({ connectionString: db.url });
  try {
    const { taskId } = await runPhase<{ taskId: string }>(FILE, 'seed', env);
    await client.connect();
    const q = async (text: string) => (await client.query(text)).rows as Record<string, unknown>[];
    const workers = await spawnWorkers(2, env);
    await runPhase(FILE, 'approve', { ...env, BENCH_TASK_ID: taskId });
    try {
      await waitSettled(runDone(q, taskId), 'scale-out run');
    } finally {
      await workers.stop();
    }
    await confirmSettled(q, taskId, 'scale-out run');
    return await figures(q, taskId);
  } finally {
    await client.end().catch(() => {});
    await clearRedis(prefix);
    await db.drop();
  }
}

async function peer(sandboxUrl: string): Promise<RunFigures> {
  const db = await createBenchDatabase('postgres');
  const prefix = `peer-bench-${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('peer-send', { connection, prefix });
  try {
    await client.query('create table peer_messages (id text primary key, i integer not null, state text not null, wamid text, accepted_at bigint)');
    for (let i = 0; i < N; i += 10_000) {
      const ids = Array.from({ length: Math.min(10_000, N - i) }, (_, k) => i + k);
      await client.query(`insert into peer_messages (id, i, state) select 'm' || x, x, 'queued' from unnest($1::int[]) as x`, [ids]);
    }
    const env = { BENCH_PG_URL: db.url, BENCH_SANDBOX_URL: sandboxUrl, BENCH_PEER_PREFIX: prefix };
    const children = await Promise.all([0, 1].map(() => startPeerWorker(env)));
    const t0 = Date.now();
    for (let i = 0; i < N; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ name: 'send', data: { id: `m${i + k}` }, opts: { removeOnComplete: true, attempts: 5 } })));
    }
    // As for wareach, the wait does not scan the table: the queue says when every job is through.
    await waitSettled(async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      return Object.values(c).every((n) => n === 0);
    }, 'peer run');
    const accepted = Number((await client.query(`select count(*) as n from peer_messages where state = 'accepted'`)).rows[0].n);
    if (accepted !== N) throw new Error(`peer run: ${accepted} of ${N} accepted`);
    const last = Number((await client.query('select max(accepted_at) as t from peer_messages')).rows[0].t);
    await Promise.all(children.map((ch) => ch.stop()));
    const seconds = (last - t0) / 1000;
    return { sent: N, seconds, rate: N / seconds };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await connection.quit();
    await client.end();
    await clearRedis(prefix);
    await db.drop();
  }
}

async function startPeerWorker(env: Record<string, string>) {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const child = spawn(process.execPath, ['--import', 'tsx', FILE, '--phase', 'peer-worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => { if (l.includes('peer worker running')) resolve(); });
    child.once('exit', (code) => reject(new Error(`peer worker exited with ${code}`)));
  });
  return { stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }) };
}

async function clearRedis(prefix: string) {
  const { Redis } = await import('ioredis');
  const r = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  await r.quit();
}

const fmt = (x: number) => x.toFixed(0);

export async function run(): Promise<void> {
  const sbx = await startSandboxChild();
  try {
    process.stdout.write(`broadcast of ${N} template messages, ${C} requests in flight per process\n`);
    // The floor is measured before and after each system and averaged: the machine's load drifts.
    const floor = async (run: () => Promise<RunFigures>) => {
      const before = await plainLoop(sbx.url, N);
      const r = await run();
      const after = await plainLoop(sbx.url, N);
      return { r, floor: (before + after) / 2, text: `${fmt(before)} before / ${fmt(after)} after` };
    };
    const parts = (process.env.BENCH_BROADCAST_PARTS ?? 'embedded,scale,peer').split(',');
    if (parts.includes('embedded')) {
      const emb = await floor(() => embedded(sbx.url));
      process.stdout.write(
        `embedded (SQLite, 1 process): ${fmt(emb.r.rate)} msgs/s (${emb.r.sent} in ${emb.r.seconds.toFixed(1)} s); plain undici loop ${emb.text} msgs/s; ` +
          `ratio ${(emb.r.rate / emb.floor).toFixed(2)} (target ≥ 0.5); peak RSS ${emb.r.rssMB} MB (target ≤ 512); engine CPU ${emb.r.cpuUsPerMsg} µs/msg (event loop ${emb.r.mainUsPerMsg}); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`,
      );
    }
    if (!parts.includes('scale')) return;
    const sc = await floor(() => scaleOut(sbx.url));
    const scale = sc.r;
    process.stdout.write(
      `PostgreSQL + Redis, 2 workers: ${fmt(scale.rate)} msgs/s (${scale.sent} in ${scale.seconds.toFixed(1)} s; per worker ${JSON.stringify(scale.perWorker)}); ` +
        `plain undici loop ${sc.text} msgs/s; ratio ${(scale.rate / sc.floor).toFixed(2)} (target ≥ 0.35)\n`,
    );
    if (!parts.includes('peer')) return;
    const p = await peer(sbx.url);
    process.stdout.write(
      `peer, one BullMQ job per message (PostgreSQL + Redis, 2 workers): ${fmt(p.rate)} msgs/s (${p.seconds.toFixed(1)} s); ` +
        `wareach/peer ${(scale.rate / p.rate).toFixed(2)} (target ≥ 2)\n`,
    );
  } finally {
    sbx.close();
  }
}

const phase = process.argv.indexOf('--phase') >= 0 ? process.argv[process.argv.indexOf('--phase') + 1] : undefined;
if (phase && process.argv[1] === FILE) {
  const phases: Record<string, () => Promise<void>> = { seed: seedPhase, approve: approvePhase, embedded: embeddedPhase, 'peer-worker': peerWorkerPhase };
  phases[phase]!().then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
