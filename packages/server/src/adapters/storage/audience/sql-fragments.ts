import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectKind } from '../database';

/**
 * The few places where SQLite and PostgreSQL spell the same idea differently. Everything a rule
 * supplies (names, values, lists, JSON keys) goes in as a bound parameter; `sql.raw` is used only for
 * SQL text written in this folder.
 */
export type Cond = RawBuilder<SqlBool>;
export type Scalar = RawBuilder<unknown>;

export const TRUE: Cond = sql<SqlBool>`1 = 1`;
export const FALSE: Cond = sql<SqlBool>`1 = 0`;

export const and = (parts: Cond[]): Cond => (parts.length === 0 ? TRUE : parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` AND `)})`);
export const or = (parts: Cond[]): Cond => (parts.length === 0 ? FALSE : parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`);
export const not = (c: Cond): Cond => sql<SqlBool>`NOT ${c}`;

export type CompareOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
const OPERATOR: Record<CompareOp, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
export const compare = (left: Scalar, op: CompareOp, right: unknown): Cond => sql<SqlBool>`${left} ${sql.raw(OPERATOR[op])} ${right}`;

/** JSON value type of an event property, as the reference evaluator sees it (absent: SQL NULL). */
export type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

export interface SqlDialect {
  readonly kind: DialectKind;
  /** `expr IN (list)` with the whole list as one bound parameter (lists may hold 1,000 values). */
  inTextList(expr: Scalar, values: readonly string[]): Cond;
  inNumberList(expr: Scalar, values: readonly number[]): Cond;
  /** Case-sensitive substring and prefix tests (never LIKE: it ignores case and has wildcards). */
  contains(expr: Scalar, fragment: string): Cond;
  startsWith(expr: Scalar, prefix: string): Cond;
  /** Whether top-level property `key` of the JSON text column `column` has one of these JSON types (never NULL: false when absent). */
  jsonKindIs(column: Scalar, key: string, kinds: readonly JsonKind[]): Cond;
  /** The property as text (strings), as a double (numbers), or as the dialect's boolean, NULL otherwise. */
  jsonText(column: Scalar, key: string): Scalar;
  jsonNumber(column: Scalar, key: string): Scalar;
  jsonBoolean(column: Scalar, key: string): Scalar;
  /** A boolean as a bindable value (better-sqlite3 binds no booleans). */
  bool(value: boolean): unknown;
  /**
   * Appended to a correlated subquery to keep it a per-row probe. PostgreSQL otherwise turns EXISTS into
   * a semi-join and, misjudging an EAV filter's size, may hash a whole attribute's rows instead of
   * probing the few candidates a driver gives (`OFFSET 0` stops that pull-up). SQLite always probes.
   */
  readonly fence: Scalar;
}

// SQLite's JSON path `$."key"` reads a key holding dots, brackets or spaces literally, but has no escape
// for `"` or `\` (nor room for control characters); such keys are read through json_each, which
// compares the key as a plain value.
const pathSafe = (key: string) => !/["\\\u0000-\u001f]/.test(key);
const SQLITE_TYPES: Record<JsonKind, string[]> = { string: ['text'], number: ['integer', 'real'], boolean: ['true', 'false'], null: ['null'], object: ['object'], array: ['array'] };

function sqliteType(column: Scalar, key: string): Scalar {
  return pathSafe(key) ? sql`json_type(${column}, ${`$."${key}"`})` : sql`(SELECT j.type FROM json_each(${column}) j WHERE j.key = ${key})`;
}
function sqliteValue(column: Scalar, key: string): Scalar {
  return pathSafe(key) ? sql`json_extract(${column}, ${`$."${key}"`})` : sql`(SELECT j.value FROM json_each(${column}) j WHERE j.key = ${key})`;
}

export const sqliteDialect: SqlDialect = {
  kind: 'sqlite',
  inTextList: (expr, values) => sql<SqlBool>`${expr} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`,
  inNumberList: (expr, values) => sql<SqlBool>`${expr} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`,
  contains: (expr, fragment) => sql<SqlBool>`instr(${expr}, ${fragment}) > 0`,
  startsWith: (expr, prefix) => sql<SqlBool>`substr(${expr}, 1, length(${prefix})) = ${prefix}`,
  jsonKindIs(column, key, kinds) {
    const types = kinds.flatMap((k) => SQLITE_TYPES[k]);
    return sql<SqlBool>`coalesce(${sqliteType(column, key)}, '') IN (${sql.join(types.map((t) => sql.lit(t)))})`;
  },
  // Guarded by the type in a CASE: SQLite would otherwise compare text with numbers by its type order.
  jsonText: (column, key) => sql`CASE WHEN ${sqliteType(column, key)} = 'text' THEN ${sqliteValue(column, key)} END`,
  jsonNumber: (column, key) => sql`CASE WHEN ${sqliteType(column, key)} IN ('integer', 'real') THEN ${sqliteValue(column, key)} END`,
  jsonBoolean: (column, key) => sql`CASE WHEN ${sqliteType(column, key)} IN ('true', 'false') THEN ${sqliteValue(column, key)} END`,
  bool: (value) => (value ? 1 : 0),
  fence: sql``,
};

const PG_TYPES: Record<JsonKind, string> = { string: 'string', number: 'number', boolean: 'boolean', null: 'null', object: 'object', array: 'array' };
const pgJson = (column: Scalar, key: string): Scalar => sql`(${column}::jsonb -> ${key}::text)`;

export const postgresDialect: SqlDialect = {
  kind: 'postgres',
  inTextList: (expr, values) => sql<SqlBool>`${expr} = ANY(${[...values]}::text[])`,
  inNumberList: (expr, values) => sql<SqlBool>`${expr} = ANY(${[...values]}::float8[])`,
  contains: (expr, fragment) => sql<SqlBool>`strpos(${expr}, ${fragment}::text) > 0`,
  startsWith: (expr, prefix) => sql<SqlBool>`starts_with(${expr}, ${prefix}::text)`,
  jsonKindIs(column, key, kinds) {
    return sql<SqlBool>`coalesce(jsonb_typeof(${pgJson(column, key)}), '') IN (${sql.join(kinds.map((k) => sql.lit(PG_TYPES[k])))})`;
  },
  // The CASE keeps the cast from running on a value of another type (a cast error would fail the query).
  jsonText: (column, key) => sql`CASE WHEN jsonb_typeof(${pgJson(column, key)}) = 'string' THEN ${column}::jsonb ->> ${key}::text END`,
  jsonNumber: (column, key) => sql`CASE WHEN jsonb_typeof(${pgJson(column, key)}) = 'number' THEN (${column}::jsonb ->> ${key}::text)::float8 END`,
  jsonBoolean: (column, key) => sql`CASE WHEN jsonb_typeof(${pgJson(column, key)}) = 'boolean' THEN (${column}::jsonb ->> ${key}::text)::boolean END`,
  bool: (value) => value,
  fence: sql` OFFSET 0`,
};

export const dialectFor = (kind: DialectKind): SqlDialect => (kind === 'sqlite' ? sqliteDialect : postgresDialect);

/** The same dialect without the fence: where no driver narrows the candidates, let the planner join. */
export const unfenced = (d: SqlDialect): SqlDialect => ({ ...d, fence: sql`` });
