import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../src/config/config';
import { bootstrap } from '../src/app/bootstrap';
import { createContainer, type Container } from '../src/app/container';
import { openDatabase } from '../src/adapters/storage/database';
import { buildApp, type BuildAppOptions } from '../src/http/app';
import type { App } from '../src/http/types';
import { builtinRoleId } from '../src/services/auth';
import { ManualClock, systemActor, type Clock } from '../src/services/ports';
import type { BuiltinRole } from '@wareach/core';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];
export const TEST_PG_URL = process.env.WAREACH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.WAREACH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A fresh, migrated database for one test file: a temp SQLite file, or a new schema in the PostgreSQL
 * test database (connections pinned to it through search_path). PostgreSQL not reachable is a failure,
 * never a skip.
 */
export async function createTestDatabase(dialect: Dialect) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-test-'));
  if (dialect === 'sqlite') {
    return { database: { kind: 'sqlite' as const, file: path.join(dir, 'test.db') }, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`PostgreSQL test database not reachable at ${TEST_PG_URL}: ${(e as Error).message}. Start it (see .ci/run).`);
  }
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const sep = TEST_PG_URL.includes('?') ? '&' : '?';
  const url = `${TEST_PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    database: { kind: 'postgres' as const, url },
    dir,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testConfig(database: Config['database'], dir: string, extra: Record<string, string> = {}): Config {
  const base = loadConfig({
    WAREACH_DATA_DIR: dir,
    WAREACH_SECRET_KEY: '11'.repeat(32),
    WAREACH_ADMIN_PASSWORD: 'admin-password-123',
    WAREACH_LOG_LEVEL: 'silent',
    WAREACH_RATE_LIMIT_PER_MINUTE: '1000000',
    ...extra,
  });
  return { ...base, database };
}

export interface TestContainer {
  c: Container;
  clock: ManualClock | Clock;
  close(): Promise<void>;
}

/** A migrated, bootstrapped container (admin member exists) on the given dialect. */
export async function createTestContainer(dialect: Dialect, opts: { clock?: Clock; env?: Record<string, string> } = {}) {
  const tdb = await createTestDatabase(dialect);
  const config = testConfig(tdb.database, tdb.dir, opts.env);
  const clock = opts.clock ?? new ManualClock(Date.parse('2026-11-25T00:00:00Z'));
  const c = createContainer(config, { clock, database: openDatabase(tdb.database, { poolSize: 4 }) });
  await bootstrap(c);
  return {
    c,
    clock,
    config,
    async close() {
      await c.close();
      await tdb.drop();
    },
  };
}

export interface TestServer {
  app: App;
  c: Container;
  url: string;
  /** Creates (once) and returns an API key for a built-in role. */
  apiKey(role: BuiltinRole): Promise<string>;
  /** fetch with a Bearer key for the role (default admin). */
  request(method: string, urlPath: string, body?: unknown, opts?: { role?: BuiltinRole; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** An API server on a random loopback port over a fresh database. */
export async function startTestServer(dialect: Dialect = 'sqlite', opts: { clock?: Clock; env?: Record<string, string>; app?: BuildAppOptions } = {}): Promise<TestServer> {
  const tc = await createTestContainer(dialect, opts);
  const app = await buildApp(tc.c, { docs: false, ...opts.app });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const keys = new Map<BuiltinRole, string>();
  const apiKey = async (role: BuiltinRole) => {
    let k = keys.get(role);
    if (!k) {
      k = (await tc.c.auth.createApiKey(systemActor, { name: `test-${role}`, roleId: builtinRoleId(role) })).key;
      keys.set(role, k);
    }
    return k;
  };
  return {
    app,
    c: tc.c,
    url,
    apiKey,
    async request(method, urlPath, body, o = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${await apiKey(o.role ?? 'admin')}`, ...o.headers };
      let payload: string | undefined = o.raw;
      if (body !== undefined && payload === undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + urlPath, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await app.close();
      await tc.close();
    },
  };
}
