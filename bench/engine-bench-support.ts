/* Shared by bench/broadcast.ts and bench/triggers.ts: the sandbox in a child process, an installation
   (database, channel, templates, profiles, a CSV audience) built through the product's services, and
   `wareach worker` child processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PG_URL = process.env.WAREACH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.WAREACH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TOKEN = 'bench-token';
export const SECRET = 'bench-app-secret';
export const WABA = '102290129340398';
export const PHONE = '106540352242922';
export const SECRET_KEY = '22'.repeat(32);
export const phoneOf = (i: number) => `+86155${String(i).padStart(8, '0')}`;

export interface SandboxChild {
  url: string;
  child: ChildProcess;
  inbox(method: string, p: string, body?: unknown): Promise<any>;
  close(): void;
}

/** The sandbox in its own process, so it does not share an event loop (or a core) with what it measures. */
export async function startSandboxChild(options: Record<string, unknown> = {}): Promise<SandboxChild> {
  const opts = {
    accessTokens: [TOKEN], appSecret: SECRET,
    faults: { throughputPerSecond: 0, enforceWindow: false },
    log: { recentPerConversation: 1, maxStoredMessages: 1000 },
    ...options,
  };
  const code = `
    const { startSandboxServer } = await import(${JSON.stringify(path.join(ROOT, 'packages/sandbox/src/index.ts'))});
    const s = await startSandboxServer({ options: ${JSON.stringify(opts)} });
    process.stdout.write(JSON.stringify({ url: s.url }) + '\\n');`;
  const child = spawn(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`sandbox exited with ${c}`)));
  });
  const url = (JSON.parse(line) as { url: string }).url;
  return {
    url,
    child,
    async inbox(method, p, body) {
      const res = await fetch(`${url}/api/v1/sandbox${p}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
      const text = await res.text();
      return text ? JSON.parse(text) : undefined;
    },
    close: () => child.kill(),
  };
}

export interface BenchDatabase {
  dialect: 'sqlite' | 'postgres';
  /** WAREACH_DATABASE_URL for this database. */
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(dialect: 'sqlite' | 'postgres'): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wareach-bench-'));
  if (dialect === 'sqlite') return { dialect, url: path.join(dataDir, 'wareach.db'), dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const sep = PG_URL.includes('?') ? '&' : '?';
  return {
    dialect,
    url: `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    dataDir,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The environment of every process of one installation. */
export function installationEnv(db: BenchDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return {
    WAREACH_DATABASE_URL: db.url, WAREACH_DATA_DIR: db.dataDir, WAREACH_SECRET_KEY: SECRET_KEY, WAREACH_ADMIN_PASSWORD: 'bench-admin-password',
    WAREACH_LOG_LEVEL: 'warn', WAREACH_SANDBOX: 'false', WAREACH_DEMO_DATA: 'false', ...extra,
  };
}

/** A container over the installation, migrated, from the same environment the workers get. */
export async function openInstallation(env: Record<string, string>) {
  const { loadConfig } = await import('../packages/server/src/config/config');
  const { createContainer } = await import('../packages/server/src/app/container');
  const { bootstrap } = await import('../packages/server/src/app/bootstrap');
  const c = createContainer(loadConfig(env));
  await bootstrap(c);
  return c;
}
export type Installation = Awaited<ReturnType<typeof openInstallation>>;

/**
 * Channel (pointing at the sandbox), synced templates, no frequency caps, `n` profiles with a WhatsApp
 * number, and a CSV segment holding all of them (the CSV path is the fast bulk one). Returns the ids.
 */
export async function seedInstallation(c: Installation, o: { sandboxUrl: string; n: number; throughput?: number }) {
  const { systemActor } = await import('../packages/server/src/services/ports');
  const ch = await c.channels.create(systemActor, {
    name: 'bench sandbox', wabaId: WABA, accessToken: TOKEN, appSecret: SECRET, baseUrl: `${o.sandboxUrl}/sandbox/graph`, apiVersion: 'v23.0',
    phoneNumbers: [{ phoneNumberId: PHONE, displayNumber: '+1 555-078-3881', throughput: o.throughput ?? 10_000, tier: 'TIER_UNLIMITED' }],
  });
  await c.templates.sync(systemActor, ch.id);
  await c.project.updateSettings(systemActor, { channelCap: null, crossChannelCap: null });
  for (let i = 0; i < o.n; i += 1000) {
    const batch = [];
    for (let k = i; k < Math.min(o.n, i + 1000); k++) batch.push({ id: `p${k}`, identities: { whatsapp: phoneOf(k) } });
    await c.customerData.upsertProfiles(batch);
  }
  const seg = await c.segments.create(systemActor, { name: 'bench audience', kind: 'csv', visibleInList: true } as never) as { id: string };
  let i = 0;
  const csv = new Readable({
    read() {
      const lines: string[] = [];
      if (i === 0) lines.push('phone');
      for (let k = 0; k < 5000 && i < o.n; k++, i++) lines.push(phoneOf(i));
      if (lines.length) this.push(lines.join('\n') + '\n');
      if (i >= o.n) this.push(null);
    },
  });
  const up = await c.csvAudience.upload(systemActor, seg.id, csv);
  if (up.accepted !== o.n) throw new Error(`CSV audience: ${JSON.stringify(up).slice(0, 500)}`);
  const tpl = await c.templates.getApprovedTemplate(ch.id, 'welcome_offer', 'en');
  if (!tpl) throw new Error('template welcome_offer (en) missing after sync');
  return { channelId: ch.id, segmentId: seg.id, content: { type: 'template' as const, template: tpl.definition, bindings: {} } };
}

/** Approves a task as a member other than its creator (`run_after_approval`: it starts at once if due). */
export async function approveTask(c: Installation, taskId: string): Promise<void> {
  const r = await c.tasks.markState(taskId, 'approve', { type: 'member', id: 'bench-approver', roleId: null } as never);
  if (!r.ok) throw new Error(`approve: ${JSON.stringify(r.error)}`);
}

/** A scheduled-once broadcast to the CSV audience at `sendAt`, submitted (and approved unless told not to). */
export async function scheduleBroadcast(c: Installation, seeded: Awaited<ReturnType<typeof seedInstallation>>, sendAt: Date, name = 'bench broadcast', approve = true): Promise<string> {
  const { systemActor } = await import('../packages/server/src/services/ports');
  const task = await c.tasks.create(systemActor, {
    basic: { name },
    audience: { mode: 'csv', csvUploadId: seeded.segmentId },
    trigger: { type: 'scheduled_once', sendAt: sendAt.toISOString(), approvalTimeout: 'run_after_approval', refreshSegment: false },
    delivery: { channelId: seeded.channelId, phoneNumberId: PHONE, taskType: 'normal', globalLimit: false, content: seeded.content },
  });
  await c.tasks.submit(systemActor, task.id);
  if (approve) await approveTask(c, task.id);
  return task.id;
}

/** `wareach worker` children (node runs the CLI itself, so a signal reaches the worker). */
export async function spawnWorkers(n: number, env: Record<string, string>): Promise<{ children: ChildProcess[]; stop(): Promise<void> }> {
  const children: ChildProcess[] = [];
  await Promise.all(Array.from({ length: n }, async (_, k) => {
    const prof = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    const child = spawn(process.execPath, [...prof, '--import', 'tsx', path.join(ROOT, 'packages/server/src/cli/main.ts'), 'worker'], {
      cwd: ROOT, env: { ...process.env, ...env, WAREACH_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      rl.on('line', (l) => {
        if (l.includes('worker running')) resolve();
        // Warnings and errors of a worker are part of the figures' story: show them.
        else if (/"level":(40|50|60)/.test(l)) process.stderr.write(`  [worker ${k}] ${l.slice(0, 400)}\n`);
      });
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    children.push(child);
  }));
  return {
    children,
    async stop() {
      await Promise.all(children.map((ch) => new Promise<void>((resolve) => {
        if (ch.exitCode !== null) return resolve();
        ch.once('exit', () => resolve());
        ch.kill('SIGTERM');
      })));
    },
  };
}

/** Runs this file again as a child process in `phase`; resolves to the JSON line it prints last. */
export async function runPhase<T>(file: string, phase: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<T> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file, '--phase', phase], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  createInterface({ input: child.stdout! }).on('line', (l) => { if (l.startsWith('{')) last = l; else process.stdout.write(`  [${phase}] ${l}\n`); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || !last) throw new Error(`phase ${phase} exited with ${code}`);
  return JSON.parse(last) as T;
}

export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
