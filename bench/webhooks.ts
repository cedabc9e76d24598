/* Signed status webhooks processed per second: a poster (child process, undici Pool, 32 in flight by default) sends
   signed WhatsApp status webhooks to POST /webhooks/whatsapp/{channelId} of a wareach server; each is
   verified, stored in the inbox and answered, and the drain hands every status to the sinks. The figure is
   statuses handed to the sinks per second, from the first POST to the last status processed (target ≥ 5,000/s),
   with Meta's batching (100 statuses a POST) and without it (1 a POST), on SQLite and on PostgreSQL.
   A POST is answered only once its payload is committed, so at a fixed number in flight the rate is
   in-flight / latency: BENCH_WEBHOOK_CONCURRENCY changes it (for the poster of the floor too), and the
   server's CPU a POST and its share of one core tell a saturated server from one waiting on commits. */
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PG_URL = process.env.WAREACH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SINGLE = Number(process.env.BENCH_WEBHOOK_SINGLE ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 32);
const BATCHED = Number(process.env.BENCH_WEBHOOK_BATCHED ?? 200_000);
const SECRET = 'bench-app-secret';
const PHONE = '106540352242922';

function payloadFile(dir: string, statuses: number, perPost: number, offset: number): string {
  const lines: string[] = [];
  const t = String(Math.floor(Date.now() / 1000));
  for (let i = 0; i < statuses; i += perPost) {
    const items = [];
    for (let j = i; j < Math.min(statuses, i + perPost); j++) {
      items.push({ id: `wamid.bench${offset + j}`, status: j % 3 === 0 ? 'sent' : j % 3 === 1 ? 'delivered' : 'read', timestamp: t, recipient_id: `86139${String(j).padStart(8, '0')}`, biz_opaque_callback_data: `delivery-${offset + j}` });
    }
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE }, statuses: items } }] }] }).replace(/\//g, '\\/');
    lines.push(JSON.stringify({ body, sig: 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex') }));
  }
  const file = path.join(dir, `payloads-${perPost}-${offset}.ndjson`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Posts every line of `file` from a child process; resolves when the child says it started, and with its summary at the end. */
function poster(url: string, file: string) {
  // The child exits when its stdin closes, i.e. when this process goes, however it goes.
  const code = `
    process.stdin.on('end', () => process.exit(0)).resume();
    import { readFileSync } from 'node:fs';
    import { Pool } from 'undici';
    const url = new URL(${JSON.stringify(url)});
    const posts = readFileSync(${JSON.stringify(file)}, 'utf8').trim().split('\\n').map((l) => JSON.parse(l));
    const pool = new Pool(url.origin, { connections: ${CONCURRENCY}, pipelining: 1 });
    let next = 0, bad = 0;
    process.stdout.write('start\\n');
    const t0 = performance.now();
    await Promise.all(Array.from({ length: ${CONCURRENCY} }, async () => {
      for (let i = next++; i < posts.length; i = next++) {
        const r = await pool.request({ method: 'POST', path: url.pathname, headers: { 'content-type': 'application/json', 'x-hub-signature-256': posts[i].sig }, body: posts[i].body });
        await r.body.dump();
        if (r.statusCode !== 200) bad++;
      }
    }));
    process.stdout.write(JSON.stringify({ posts: posts.length, seconds: (performance.now() - t0) / 1000, bad }) + '\\n');
    await pool.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout });
  let started!: () => void;
  const start = new Promise<void>((r) => (started = r));
  const done = new Promise<{ posts: number; seconds: number; bad: number }>((resolve, reject) => {
    rl.on('line', (l) => {
      if (l === 'start') return started();
      child.stdin.end();
      resolve(JSON.parse(l));
    });
    child.once('exit', (c) => (c ? reject(new Error(`poster exited with ${c}`)) : undefined));
  });
  return { start, done };
}

async function phase(dialect: 'sqlite' | 'postgres') {
  const { openDatabase } = await import('../packages/server/src/adapters/storage/database');
  const { createContainer } = await import('../packages/server/src/app/container');
  const { bootstrap } = await import('../packages/server/src/app/bootstrap');
  const { buildApp } = await import('../packages/server/src/http/app');
  const { testConfig } = await import('../packages/server/test/helpers');
  const { systemActor } = await import('../packages/server/src/services/ports');
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-bench-webhooks-'));
  const schema = `bench_wh_${process.pid}`;
  let database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  if (dialect === 'sqlite') database = { kind: 'sqlite', file: path.join(dir, 'bench.db') };
  else {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    await admin.end();
    database = { kind: 'postgres', url: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` };
  }
  const c = createContainer(testConfig(database, dir), { database: openDatabase(database, { poolSize: 8 }) });
  await bootstrap(c);
  const ch = await c.channels.create(systemActor, {
    name: 'bench', wabaId: '102290129340398', phoneNumbers: [{ phoneNumberId: PHONE, displayNumber: '+1 555-078-3881', throughput: 80, tier: 'TIER_UNLIMITED' }],
    accessToken: 'bench-token', appSecret: SECRET, verifyToken: randomBytes(8).toString('hex'), baseUrl: 'http://127.0.0.1:9/graph', apiVersion: 'v23.0',
  });
  let processed = 0;
  let waiter: { target: number; resolve: () => void } | undefined;
  c.webhookSinks.push({
    async onStatuses(s) {
      processed += s.length;
      if (waiter && processed >= waiter.target) waiter.resolve();
    },
    async onInbound() {},
  });
  const drain = c.whatsapp.createDrain();
  if (!process.env.BENCH_NO_DRAIN) drain.start();
  const app = await buildApp(c, { docs: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/webhooks/whatsapp/${ch.id}`;
  try {
    let offset = 0;
    for (const [statuses, perPost] of [[SINGLE, 1], [BATCHED, 100]] as const) {
      const file = payloadFile(dir, statuses, perPost, offset);
      offset += statuses;
      const target = processed + statuses;
      const allProcessed = new Promise<void>((resolve) => (waiter = { target, resolve }));
      const p = poster(url, file);
      await p.start;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const posted = await p.done;
      const tPosted = (performance.now() - t0) / 1000;
      await allProcessed;
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(
        `${dialect}, ${perPost} status${perPost > 1 ? 'es' : ''} a POST: ${statuses} statuses in ${posted.posts} signed POSTs (non-200: ${posted.bad}); ` +
          `POSTs answered at ${(posted.posts / posted.seconds).toFixed(0)}/s; all processed in ${seconds.toFixed(2)} s (${(tPosted).toFixed(2)} s to post) ` +
          `= ${(statuses / seconds).toFixed(0)} statuses/s (target ≥ 5,000/s); server process CPU ${((cpu.user + cpu.system) / posted.posts).toFixed(0)} µs a POST (${((cpu.user + cpu.system) / 1e4 / seconds).toFixed(0)} % of one core); ${CONCURRENCY} in flight; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`,
      );
    }
  } finally {
    await app.close();
    await drain.stop();
    await c.close();
    rmSync(dir, { recursive: true, force: true });
    if (dialect === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
}

/** The ceiling of this machine for the same poster: a bare Fastify POST route that answers 200 and does nothing. */
async function baseline() {
  const { default: Fastify } = await import('fastify');
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-bench-webhooks-'));
  const app = Fastify({ logger: false });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/hook', async () => 'EVENT_RECEIVED');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const file = payloadFile(dir, SINGLE, 1, 0);
  const p = poster(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hook`, file);
  await p.start;
  const cpu0 = process.cpuUsage();
  const r = await p.done;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`baseline: a bare Fastify POST route, same poster, 1 status a POST, ${CONCURRENCY} in flight: ${(r.posts / r.seconds).toFixed(0)} POSTs/s; server process CPU ${((cpu.user + cpu.system) / r.posts).toFixed(0)} µs a POST\n`);
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

export async function run(): Promise<void> {
  await baseline();
  // BENCH_WEBHOOK_DIALECTS=sqlite (or postgres) runs one backend only, e.g. to profile it.
  const only = (process.env.BENCH_WEBHOOK_DIALECTS ?? 'sqlite,postgres').split(',');
  for (const d of ['sqlite', 'postgres'] as const) if (only.includes(d)) await phase(d);
}
