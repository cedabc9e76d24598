/* npm run bench -- triggers: triggered tasks in embedded mode (SQLite, API + worker in one process, like
   `npm start`; the sandbox in its own process with no rate limit and status webhooks off).
   1. Latency: BENCH_TRIGGER_RATE (default 2,000) events/s for BENCH_TRIGGER_SECONDS (default 60) posted to
      POST /api/v1/events/batch (50 per request) by this process, spread over 20 triggered tasks (immediate
      timing, every event counts), each event to a different user of BENCH_TRIGGER_USERS (default 200,000,
      so Meta's pair rate never holds one back). Latency from the event (stamped when posted) to WhatsApp's
      acceptance of its message: p50 / p99 (target p99 ≤ 100 ms). Before them, BENCH_TRIGGER_WARMUP (default
      10) seconds at the same rate warm the freshly started process (V8's compiler, connections, caches);
      they are not counted, and the figures of the measured run's first 5 s are printed apart.
   2. Timers: BENCH_TIMERS (default 1,000,000) durable timers waiting (due over the coming year), then
      BENCH_TIMER_EVENTS (default 2,000) events whose messages are delayed 2 minutes (durable timers too).
      Lateness of their sends (claim time − due time): p50 / p99 (target p99 ≤ 1 s). */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { Pool } from 'undici';
import {
  createBenchDatabase, installationEnv, openInstallation, phoneOf, PHONE, startSandboxChild, WABA, TOKEN, SECRET,
  type Installation,
} from './engine-bench-support';

const RATE = Number(process.env.BENCH_TRIGGER_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_TRIGGER_SECONDS ?? 60);
const WARMUP = Number(process.env.BENCH_TRIGGER_WARMUP ?? 10);
const USERS = Number(process.env.BENCH_TRIGGER_USERS ?? 200_000);
const TIMERS = Number(process.env.BENCH_TIMERS ?? 1_000_000);
const TIMER_EVENTS = Number(process.env.BENCH_TIMER_EVENTS ?? 2_000);
const TASKS = 20;
const DELAY_MINUTES = 2;
const FILE = fileURLToPath(import.meta.url);

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Channel, users (and a CSV segment of them), and triggered tasks on `events`, approved and running. */
async function seed(c: Installation, sandboxUrl: string, users: number, tasks: { name: string; event: string; timing: Record<string, unknown> }[]) {
  const { systemActor } = await import('../packages/server/src/services/ports');
  const { Readable } = await import('node:stream');
  const ch = await c.channels.create(systemActor, {
    name: 'bench sandbox', wabaId: WABA, accessToken: TOKEN, appSecret: SECRET, baseUrl: `${sandboxUrl}/sandbox/graph`, apiVersion: 'v23.0',
    phoneNumbers: [{ phoneNumberId: PHONE, displayNumber: '+1 555-078-3881', throughput: 10_000, tier: 'TIER_UNLIMITED' }],
  });
  await c.templates.sync(systemActor, ch.id);
  await c.project.updateSettings(systemActor, { channelCap: null, crossChannelCap: null });
  for (let i = 0; i < users; i += 1000) {
    const batch = [];
    for (let k = i; k < Math.min(users, i + 1000); k++) batch.push({ id: `u${k}`, identities: { whatsapp: phoneOf(k) } });
    await c.customerData.upsertProfiles(batch);
  }
  const seg = await c.segments.create(systemActor, { name: 'bench users', kind: 'csv', visibleInList: true } as never) as { id: string };
  let i = 0;
  await c.csvAudience.upload(systemActor, seg.id, new Readable({
    read() {
      const lines = i === 0 ? ['phone'] : [];
      for (let k = 0; k < 5000 && i < users; k++, i++) lines.push(phoneOf(i));
      if (lines.length) this.push(lines.join('\n') + '\n');
      if (i >= users) this.push(null);
    },
  }));
  const tpl = (await c.templates.getApprovedTemplate(ch.id, 'welcome_offer', 'en'))!;
  const now = Date.now();
  const ids: string[] = [];
  for (const t of tasks) {
    const task = await c.tasks.create(systemActor, {
      basic: { name: t.name },
      audience: { mode: 'segment', segmentId: seg.id },
      trigger: { type: 'triggered', eventA: { name: t.event }, range: { start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 86_400_000).toISOString() }, counting: { kind: 'every', n: 1 }, timing: t.timing },
      delivery: { channelId: ch.id, phoneNumberId: PHONE, taskType: 'normal', globalLimit: false, content: { type: 'template', template: tpl.definition, bindings: {} } },
    });
    await c.tasks.submit(systemActor, task.id);
    const r = await c.tasks.markState(task.id, 'approve', { type: 'member', id: 'bench-approver', roleId: null } as never);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    ids.push(task.id);
  }
  return ids;
}

/** The server of one phase: API + worker in this process, until the parent says `stop` on stdin. */
async function serverPhase() {
  const { wireEngine } = await import('../packages/server/src/app/engine-wiring');
  const { buildApp } = await import('../packages/server/src/http/app');
  const { builtinRoleId } = await import('../packages/server/src/services/auth');
  const { systemActor } = await import('../packages/server/src/services/ports');
  const { createTimerStore } = await import('../packages/server/src/adapters/storage/timer-store');
  const c = await openInstallation(process.env as Record<string, string>);
  const mode = process.env.BENCH_MODE!;
  const tasks = mode === 'latency'
    ? Array.from({ length: TASKS }, (_, k) => ({ name: `latency ${k}`, event: `bench_event_${k}`, timing: { kind: 'immediate' } }))
    : [{ name: 'timers', event: 'bench_delayed', timing: { kind: 'delay', amount: DELAY_MINUTES, unit: 'minutes' } }];
  const taskIds = await seed(c, process.env.BENCH_SANDBOX_URL!, mode === 'latency' ? USERS : TIMER_EVENTS, tasks);
  if (mode === 'timers') {
    // The million waiting: due over the coming year, for deliveries of a task nobody runs.
    const timers = createTimerStore(c.database);
    const now = Date.now();
    for (let i = 0; i < TIMERS; i += 5000) {
      await timers.schedule(Array.from({ length: Math.min(5000, TIMERS - i) }, (_, k) => ({
        key: `d:bench-wait-${i + k}`, dueAt: now + 86_400_000 + Math.floor(((i + k) / TIMERS) * 364 * 86_400_000), jobName: 'engine.dispatch.v1', payload: { ids: [`bench-wait-${i + k}`] }, taskId: 'bench-waiting',
      })), now);
    }
  }
  const engine = wireEngine(c);
  engine.start();
  const app = await buildApp(c, { docs: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const key = (await c.auth.createApiKey(systemActor, { name: 'bench', roleId: builtinRoleId('admin') })).key;
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, key, taskIds }) + '\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  await app.close();
  await engine.close();
  await c.close();
}

async function startServer(env: Record<string, string>) {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []), '--import', 'tsx', FILE, '--phase', 'server'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await new Promise<{ url: string; key: string; taskIds: string[] }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => { if (l.startsWith('{')) resolve(JSON.parse(l)); });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { ...info, stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.stdin!.write('stop\n'); }) };
}

/** Posts `total` events at `rate`/s in requests of 50; each event's time is the moment it is posted; message IDs from `firstMessage`. */
async function postEvents(url: string, key: string, total: number, rate: number, event: (i: number) => { userId: string; name: string }, firstMessage = 0) {
  const pool = new Pool(url, { connections: 16 });
  const per = 50;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  let refused = 0;
  for (let sent = 0; sent < total; sent += per) {
    const wait = t0 + (sent / rate) * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const time = new Date().toISOString();
    const events = Array.from({ length: Math.min(per, total - sent) }, (_, k) => ({ ...event(sent + k), time, messageId: `bench-${firstMessage + sent + k}` }));
    inflight.push(pool.request({ method: 'POST', path: '/api/v1/events/batch', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) })
      .then(async (res) => { await res.body.text(); if (res.statusCode !== 200) refused += events.length; }));
    if (inflight.length > 64) await inflight.shift();
  }
  await Promise.all(inflight);
  const achieved = total / ((performance.now() - t0) / 1000);
  await pool.close();
  return { achieved, refused };
}

async function waitFor(db: SQLite.Database, sqlText: string, n: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const got = Number((db.prepare(sqlText).get() as { n: number }).n);
    if (got >= n || Date.now() > until) return got;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function latency(sandboxUrl: string) {
  const db = await createBenchDatabase('sqlite');
  const env = { ...installationEnv(db, { WAREACH_RATE_LIMIT_PER_MINUTE: '10000000', WAREACH_WORKER_CONCURRENCY: '64' }), BENCH_SANDBOX_URL: sandboxUrl, BENCH_MODE: 'latency' };
  const s = await startServer(env);
  try {
    const total = RATE * SECONDS;
    const warm = RATE * WARMUP;
    // Users go on from where the warm-up's stopped: Meta's pair rate would hold back a second message to one.
    const event = (i: number) => ({ userId: `u${i % USERS}`, name: `bench_event_${i % TASKS}` });
    const warmed = warm ? await postEvents(s.url, s.key, warm, RATE, event) : { refused: 0 };
    const measuredFrom = Date.now();
    const posted = await postEvents(s.url, s.key, total, RATE, (i) => event(warm + i), warm);
    const ro = new SQLite(db.url, { readonly: true });
    const done = await waitFor(ro, `select count(*) as n from deliveries where state not in ('queued', 'sending')`, warm + total - warmed.refused - posted.refused, 120_000);
    const rows = ro.prepare(`select accepted_at - trigger_at as l, trigger_at as t from deliveries where accepted_at is not null and trigger_at >= ? order by trigger_at`).all(measuredFrom) as { l: number; t: number }[];
    const states = ro.prepare(`select state, reason, count(*) as n from deliveries group by state, reason`).all();
    ro.close();
    const l = rows.map((r) => Number(r.l));
    // Per 5 s of the run: where in it the slow sends fall (a cold start, or all along).
    const t0 = rows.length ? Number(rows[0]!.t) : 0;
    const slices = new Map<number, number[]>();
    for (const r of rows) {
      const k = Math.floor((Number(r.t) - t0) / 5_000);
      const list = slices.get(k);
      if (list) list.push(Number(r.l));
      else slices.set(k, [Number(r.l)]);
    }
    const afterFirst5s = rows.filter((r) => Number(r.t) - t0 >= 5_000).map((r) => Number(r.l));
    process.stdout.write(
      `latency: ${total} events at ${RATE}/s for ${SECONDS} s after ${WARMUP} s of warm-up (achieved ${posted.achieved.toFixed(0)}/s, refused ${posted.refused}) over ${TASKS} tasks; ` +
        `${l.length} sent (${done} settled; ${JSON.stringify(states)})\n  event → accepted send: p50 ${pct(l, 50)} ms, p99 ${pct(l, 99)} ms, max ${pct(l, 100)} ms (target p99 ≤ 100 ms)\n` +
        `  after the first 5 s: p50 ${pct(afterFirst5s, 50)} ms, p99 ${pct(afterFirst5s, 99)} ms; p99 per 5 s: ${[...slices.values()].map((x) => pct(x, 99)).join(' ')} ms; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`,
    );
  } finally {
    await s.stop();
    await db.drop();
  }
}

async function timers(sandboxUrl: string) {
  const db = await createBenchDatabase('sqlite');
  const env = { ...installationEnv(db, { WAREACH_RATE_LIMIT_PER_MINUTE: '10000000' }), BENCH_SANDBOX_URL: sandboxUrl, BENCH_MODE: 'timers' };
  const s = await startServer(env);
  try {
    // Spread over 20 s: the delayed sends fall due over 20 s as well.
    await postEvents(s.url, s.key, TIMER_EVENTS, TIMER_EVENTS / 20, (i) => ({ userId: `u${i}`, name: 'bench_delayed' }));
    const ro = new SQLite(db.url, { readonly: true });
    const waiting = Number((ro.prepare('select count(*) as n from timers').get() as { n: number }).n);
    await waitFor(ro, `select count(*) as n from deliveries where state not in ('queued', 'sending')`, TIMER_EVENTS, DELAY_MINUTES * 60_000 + 120_000);
    const rows = ro.prepare(`select sending_at - due_at as l from deliveries where sending_at is not null`).all() as { l: number }[];
    ro.close();
    const l = rows.map((r) => Number(r.l));
    process.stdout.write(
      `timers: ${waiting} timers waiting; ${l.length} of ${TIMER_EVENTS} delayed sends fired (delay ${DELAY_MINUTES} min)\n` +
        `  lateness (claim − due): p50 ${pct(l, 50)} ms, p99 ${pct(l, 99)} ms, max ${pct(l, 100)} ms (target p99 ≤ 1000 ms)\n`,
    );
  } finally {
    await s.stop();
    await db.drop();
  }
}

export async function run(): Promise<void> {
  const sbx = await startSandboxChild();
  try {
    await latency(sbx.url);
    await timers(sbx.url);
  } finally {
    sbx.close();
  }
}

const phase = process.argv.indexOf('--phase') >= 0 ? process.argv[process.argv.indexOf('--phase') + 1] : undefined;
if (phase === 'server' && process.argv[1] === FILE) {
  serverPhase().then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

