import { SqliteAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

export function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * An auto-increment primary key on both dialects: SQLite's rowid alias (`integer primary key`) and
 * PostgreSQL's identity column (bigint, so it does not run out on an events table).
 */
export function autoIdColumn(db: Kysely<unknown>) {
  const sqlite = isSqlite(db);
  return {
    type: sqlite ? ('integer' as const) : ('bigint' as const),
    build: (c: ColumnDefinitionBuilder) =>
      sqlite ? c.primaryKey() : c.primaryKey().generatedByDefaultAsIdentity(),
  };
}
