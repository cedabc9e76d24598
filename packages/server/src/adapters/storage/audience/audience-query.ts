import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { AudienceRule } from '@wareach/core';
import type { DialectKind } from '../database';
import type { Database } from '../schema/index';
import { compileRule, type SegmentSource } from './compile-rule';
import { and, type Cond } from './sql-fragments';

type Db = Kysely<Database> | Transaction<Database>;

/** A rule to evaluate: at `now`, for profiles of `subjectType` (all subjects when absent). */
export interface AudienceSpec {
  rule: AudienceRule;
  now: number;
  subjectType?: string | undefined;
  segments?: ReadonlyMap<string, SegmentSource>;
}

function subjectFilter(spec: AudienceSpec): Cond[] {
  return spec.subjectType === undefined ? [] : [sql`p.subject_type = ${spec.subjectType}`];
}

/**
 * `SELECT p.id` of every profile the rule matches, each once. With a driver, the candidates come from
 * it (a semi-join on its ids) and the other conditions are checked per candidate.
 */
export function audienceIdsQuery(dialect: DialectKind, spec: AudienceSpec): RawBuilder<{ id: string }> {
  const compiled = compileRule(spec.rule, { dialect, now: spec.now, ...(spec.segments ? { segments: spec.segments } : {}) });
  const where = and([...subjectFilter(spec), compiled.where]);
  if (!compiled.driver) return sql<{ id: string }>`SELECT p.id FROM profiles p WHERE ${where}`;
  return sql<{ id: string }>`SELECT p.id FROM (${compiled.driver}) d JOIN profiles p ON p.id = d.profile_id WHERE ${where}`;
}

/**
 * Runs `f` with enough PostgreSQL work memory that grouping a driver's events (hundreds of thousands
 * of rows) stays in memory instead of spilling to disk, and without JIT: the planner's cost for a
 * million-profile rule passes the JIT threshold, and compiling costs more (~300 ms) than these index
 * probes save. SQLite needs nothing.
 */
async function withWorkMem<T>(db: Db, dialect: DialectKind, f: (db: Db) => Promise<T>): Promise<T> {
  if (dialect === 'sqlite') return f(db);
  const run = async (trx: Transaction<Database>) => {
    await sql`SET LOCAL work_mem = '64MB'`.execute(trx);
    await sql`SET LOCAL jit = off`.execute(trx);
    return f(trx);
  };
  return db.isTransaction ? run(db as Transaction<Database>) : db.transaction().execute(run);
}

/** How many profiles match and how many of them have a WhatsApp number (a send ID). */
export async function estimateAudience(db: Db, dialect: DialectKind, spec: AudienceSpec): Promise<{ oneIds: number; sendIds: number }> {
  return withWorkMem(db, dialect, (trx) => estimateIn(trx, dialect, spec));
}

async function estimateIn(db: Db, dialect: DialectKind, spec: AudienceSpec): Promise<{ oneIds: number; sendIds: number }> {
  const ids = audienceIdsQuery(dialect, spec);
  const r = await sql<{ one_ids: number | string; send_ids: number | string | null }>`
    SELECT count(*) AS one_ids,
           sum(CASE WHEN EXISTS (SELECT 1 FROM identities w WHERE w.profile_id = m.id AND w.type = 'whatsapp') THEN 1 ELSE 0 END) AS send_ids
    FROM (${ids}) m`.execute(db);
  const row = r.rows[0];
  return { oneIds: Number(row?.one_ids ?? 0), sendIds: Number(row?.send_ids ?? 0) };
}

/**
 * Writes the members under `segmentId` (the caller deletes the old ones in the same transaction),
 * each with its WhatsApp number when it has one. Returns how many were written.
 */
export async function insertAudienceMembers(db: Db, dialect: DialectKind, segmentId: string, spec: AudienceSpec): Promise<number> {
  const ids = audienceIdsQuery(dialect, spec);
  return withWorkMem(db, dialect, async (trx) => {
    const r = await sql`
      INSERT INTO segment_members (segment_id, profile_id, phone)
      SELECT ${segmentId}, m.id, (SELECT min(w.value) FROM identities w WHERE w.profile_id = m.id AND w.type = 'whatsapp')
      FROM (${ids}) m`.execute(trx);
    return Number(r.numAffectedRows ?? 0);
  });
}

/** One page of a live evaluation, in one-ID order, each member with its WhatsApp number if any. */
export async function pageAudienceMembers(db: Db, dialect: DialectKind, spec: AudienceSpec, limit: number, offset: number): Promise<{ profileId: string; phone: string | null }[]> {
  const ids = audienceIdsQuery(dialect, spec);
  const r = await withWorkMem(db, dialect, (trx) => sql<{ id: string; phone: string | null }>`
    SELECT m.id, (SELECT min(w.value) FROM identities w WHERE w.profile_id = m.id AND w.type = 'whatsapp') AS phone
    FROM (${ids}) m ORDER BY m.id LIMIT ${limit} OFFSET ${offset}`.execute(trx));
  return r.rows.map((x) => ({ profileId: x.id, phone: x.phone }));
}

/** Whether one profile matches now (no driver: a single profile is checked by point lookups). */
export async function profileMatches(db: Db, dialect: DialectKind, spec: AudienceSpec, profileId: string): Promise<boolean> {
  const compiled = compileRule(spec.rule, { dialect, now: spec.now, ...(spec.segments ? { segments: spec.segments } : {}) });
  const where = and([sql`p.id = ${profileId}`, ...subjectFilter(spec), compiled.driver ? sql`p.id IN (${compiled.driver})` : sql`1 = 1`, compiled.where]);
  const r = await sql<{ one: number }>`SELECT 1 AS one FROM profiles p WHERE ${where}`.execute(db);
  return r.rows.length > 0;
}

/** The query plan of the ids query, for benchmarks and for checking that indexes are used. */
export async function explainAudience(db: Db, dialect: DialectKind, spec: AudienceSpec, analyze = false): Promise<string> {
  const ids = audienceIdsQuery(dialect, spec);
  if (dialect === 'sqlite') {
    const r = await sql<{ id: number; parent: number; detail: string }>`EXPLAIN QUERY PLAN ${ids}`.execute(db);
    const depth = new Map<number, number>();
    return r.rows.map((row) => {
      const d = (depth.get(row.parent) ?? -1) + 1;
      depth.set(row.id, d);
      return `${'  '.repeat(d)}${row.detail}`;
    }).join('\n');
  }
  const r = await withWorkMem(db, dialect, (trx) => sql<{ 'QUERY PLAN': string }>`EXPLAIN ${sql.raw(analyze ? '(ANALYZE, BUFFERS) ' : '')}${ids}`.execute(trx));
  return r.rows.map((row) => row['QUERY PLAN']).join('\n');
}
