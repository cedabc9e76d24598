import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createContainer } from '../../../src/app/container';
import { bootstrap } from '../../../src/app/bootstrap';
import { testConfig } from '../../helpers';
import { openDatabase } from '../../../src/adapters/storage/database';
import { systemActor, systemClock } from '../../../src/services/ports';
import { wireEngine } from '../../../src/app/engine-wiring';

const N = Number(process.env.N ?? 20000);
const ROOT = '/work/main';
const code = `
  const { startSandboxServer } = await import(${JSON.stringify(path.join(ROOT, 'packages/sandbox/src/index.ts'))});
  const s = await startSandboxServer({ options: { accessTokens: ['tok'], appSecret: 'sec', faults: { throughputPerSecond: 0, enforceWindow: false }, log: { recentPerConversation: 1, maxStoredMessages: 1000 } } });
  process.stdout.write(JSON.stringify({ url: s.url }) + '\\n');`;
const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
const line = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
const url = JSON.parse(line).url as string;
import { createTestDatabase } from '../../helpers';
import pg from 'pg';
const tdb = await createTestDatabase((process.env.DIALECT ?? 'sqlite') as 'sqlite');
const dir = tdb.dir;
const config = testConfig(tdb.database, dir, { WAREACH_LOG_LEVEL: 'warn', ...(process.env.REDIS ? { WAREACH_REDIS_URL: 'redis://127.0.0.1:6379', WAREACH_REDIS_PREFIX: 'prof' + Date.now() } : {}), WAREACH_WORKER_CONCURRENCY: '64' });
const pgStats = new Map<string, { n: number; ms: number }>();
if (process.env.SQLSTATS && process.env.DIALECT === 'postgres') {
  const orig = (pg.Client.prototype as any).query;
  (pg.Client.prototype as any).query = function (this: unknown, ...a: any[]) {
    const text = typeof a[0] === 'string' ? a[0] : a[0]?.text ?? '?';
    const t0 = performance.now();
    const r = orig.apply(this, a);
    if (r && typeof r.then === 'function') r.then(() => { const k = String(text).slice(0, 140); const e = pgStats.get(k) ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - t0; pgStats.set(k, e); }, () => {});
    return r;
  };
}
const c = createContainer(config, { clock: systemClock, database: openDatabase(config.database, { poolSize: 10 }) });
await bootstrap(c);
const ch = await c.channels.create(systemActor, { name: 'sbx', wabaId: '102290129340398', phoneNumbers: [{ phoneNumberId: '106540352242922', displayNumber: '+1 555', throughput: 10000, tier: 'TIER_UNLIMITED' }], accessToken: 'tok', appSecret: 'sec', baseUrl: `${url}/sandbox/graph`, apiVersion: 'v23.0' });
await c.templates.sync(systemActor, ch.id);
await c.project.updateSettings(systemActor, { channelCap: null, crossChannelCap: null });
let t = performance.now();
for (let i = 0; i < N; i += 1000) {
  const b = [];
  for (let k = i; k < Math.min(N, i + 1000); k++) b.push({ id: `p${k}`, identities: { whatsapp: `+86155${String(k).padStart(8, '0')}` }, attributes: { cohort: 'scale' } });
  await c.customerData.upsertProfiles(b);
}
console.log('profiles', ((performance.now() - t) / 1000).toFixed(1));
const T0 = performance.now(); const lap = (m: string) => console.log(m, ((performance.now() - T0) / 1000).toFixed(1));
const seg = await c.segments.create(systemActor, { name: 'all', kind: 'rule', visibleInList: true, rule: { kind: 'and', children: [{ kind: 'attribute', name: 'cohort', valueType: 'string', op: 'eq', value: 'scale' }] } } as never);
const tpl = (await c.templates.getApprovedTemplate(ch.id, 'welcome_offer', 'en'))!;
const task = await c.tasks.create(systemActor, { basic: { name: 'b' }, audience: { mode: 'segment', segmentId: (seg as { id: string }).id }, trigger: { type: 'scheduled_once', sendAt: new Date(Date.now() + 1500).toISOString(), approvalTimeout: 'run_after_approval', refreshSegment: false }, delivery: { channelId: ch.id, phoneNumberId: '106540352242922', taskType: 'normal', globalLimit: false, content: { type: 'template', template: tpl.definition, bindings: {} } } });
lap('created'); await c.tasks.submit(systemActor, task.id); lap('submitted');
await c.tasks.markState(task.id, 'approve', { type: 'member', id: 'other', roleId: null } as never);
const stats = new Map<string, { n: number; ms: number }>();
if (process.env.SQLSTATS && process.env.DIALECT !== 'postgres') {
  const raw = c.database.sqlite!;
  const prep = raw.prepare.bind(raw);
  (raw as any).prepare = (sql: string) => {
    const st = prep(sql);
    for (const m of ['all', 'run', 'get', 'iterate'] as const) {
      const f = (st as any)[m].bind(st);
      (st as any)[m] = (...a: unknown[]) => { const t0 = performance.now(); try { return f(...a); } finally { const k = sql.slice(0, 160); const e = stats.get(k) ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - t0; stats.set(k, e); } };
    }
    return st;
  };
}
const w = wireEngine(c);
w.start(); lap('started');
t = performance.now();
for (;;) {
  const r = await c.db.selectFrom('deliveries').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  const m = Object.fromEntries(r.map((x) => [x.state, Number(x.n)]));
  if ((m.accepted ?? 0) + (m.failed ?? 0) + (m.skipped ?? 0) >= N) { console.log(m); break; }
  await new Promise((r) => setTimeout(r, 500));
}
lap('done'); const run = await c.db.selectFrom('deliveries').select([(eb) => eb.fn.min('sending_at').as('a'), (eb) => eb.fn.max('accepted_at').as('b')]).executeTakeFirst();
const secs = (Number(run!.b) - Number(run!.a)) / 1000;
console.log(`sent ${N} in ${secs.toFixed(1)}s = ${(N / secs).toFixed(0)}/s; rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
if (process.env.SQLSTATS) [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25).forEach(([k, v]) => console.log(v.ms.toFixed(0).padStart(7), String(v.n).padStart(7), k));
[...pgStats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25).forEach(([k, v]) => console.log(v.ms.toFixed(0).padStart(7), String(v.n).padStart(7), k.replace(/\s+/g, ' ')));
await w.close(); await c.close(); child.kill(); await tdb.drop();
