import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationResultSet, type SqliteDatabase } from 'kysely';
import { isSqlite } from './migrations/dialect';
import pg from 'pg';
import type { Config } from '../../config/config';
import { migrationProvider } from './migrations/index';
import type { Database } from './schema/index';
import { startCheckpointer } from './sqlite-checkpointer';

export type DialectKind = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: DialectKind;
  /** The raw better-sqlite3 handle in embedded mode: bulk paths use prepared statements on it. */
  readonly sqlite: SQLite.Database | undefined;
  /** The pg pool in PostgreSQL mode: bulk paths use unnest() inserts on it. */
  readonly pgPool: pg.Pool | undefined;
  close(): Promise<void>;
}

// PostgreSQL returns int8 (bigint: our epoch-ms times, count(*)) as strings by default. Every bigint we
// store fits a double exactly (times in ms, counts), so parse them to numbers once, here.
pg.types.setTypeParser(20, (v: string) => Number(v));
pg.types.setTypeParser(1700, (v: string) => Number(v));

export function openDatabase(database: Config['database'], opts: { poolSize?: number } = {}): DatabaseHandle {
  if (database.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: database.url, max: opts.poolSize ?? 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', sqlite: undefined, pgPool: pool, close: () => db.destroy() };
  }
  if (database.file !== ':memory:') mkdirSync(path.dirname(database.file), { recursive: true });
  const sqlite = new SQLite(database.file);
  // WAL lets readers run beside the one writer; NORMAL sync is durable across process crashes (not
  // power loss of the last transactions), which is the embedded mode's promise. busy_timeout makes a
  // second process (CLI migrate while serving) wait instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 16 MB of page cache (8× SQLite's default): it is resident memory of the server process, which
  // has 300 MB in all (issue 4). At 64 MB a million-line CSV upload peaked at ~315 MB, at 16 MB at
  // ~265 MB. Pages it does not hold are read from the OS page cache: the audience estimate bench
  // showed no difference; bulk event imports, whose random index inserts touch many pages per
  // transaction, cost more CPU (~+35 % in the ingest bench's plain insert loop).
  sqlite.pragma('cache_size = -16384');
  // A WAL left at its largest after a burst is cut back to this once checkpointed.
  sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const checkpointer = database.file === ':memory:' ? undefined : startCheckpointer(sqlite, database.file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db, dialect: 'sqlite', sqlite, pgPool: undefined,
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

/**
 * Kysely's SQLite driver prepares every statement each time it runs it; preparing costs more than
 * running most of our statements. This hands it a cache of prepared statements by SQL text (least
 * recently used out past STATEMENT_CACHE_SIZE). Safe because Kysely runs one statement at a time on
 * the connection (a streamed select holds it until done), so a cached statement is never busy.
 */
const STATEMENT_CACHE_SIZE = 500;
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) cache.delete(text);
      else {
        stmt = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  // Kysely looks for its tables in every schema unless told which: on PostgreSQL name the current one,
  // or a lock table in another schema of the same database (another test, a benchmark) is taken for ours.
  const schema = isSqlite(db as unknown as Kysely<unknown>) ? undefined : (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s;
  const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: migrationProvider, migrationTableName: 'wareach_migrations', migrationLockTableName: 'wareach_migrations_lock', ...(schema ? { migrationTableSchema: schema } : {}) });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return result;
}
