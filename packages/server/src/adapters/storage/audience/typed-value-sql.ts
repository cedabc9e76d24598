import { sql } from 'kysely';
import { durationMs, type TypedValueCondition } from '@wareach/core';
import { and, compare, not, type Cond, type Scalar, type SqlDialect } from './sql-fragments';
import type { LeafSql } from './leaf-sql';
import { DRIVER_RANK } from './leaf-sql';

/**
 * Attribute and tag leaves over the EAV tables (`profile_attributes`, `profile_tags`): one row per
 * scalar, one per element of a string list, each with its stored `type`. A value is present when a
 * row of that name and of the condition's `valueType` exists, which is exactly the reference
 * evaluator's "missing" rule (absent, null, another type, or an empty list leave no such row).
 */
export function typedValueSql(d: SqlDialect, c: TypedValueCondition, now: number): LeafSql {
  const table = sql.raw(c.kind === 'attribute' ? 'profile_attributes' : 'profile_tags');
  const rows = (extra: Cond | undefined) => {
    const parts: Cond[] = [sql`a.name = ${c.name}`, sql`a.type = ${c.valueType}`];
    if (extra) parts.push(extra);
    return and(parts);
  };
  const correlated = (extra: Cond | undefined) => sql`SELECT 1 FROM ${table} a WHERE a.profile_id = p.id AND ${rows(extra)}${d.fence}`;

  if (c.op === 'exists' || c.op === 'not_exists') {
    const present: Cond = sql`EXISTS (${correlated(undefined)})`;
    if (c.op === 'not_exists') return { cond: not(present), rank: DRIVER_RANK.none };
    return { cond: present, driver: sql`SELECT DISTINCT a.profile_id FROM ${table} a WHERE ${rows(undefined)}`, rank: DRIVER_RANK.presence };
  }

  if (c.valueType === 'string_list' && c.op === 'contains_all') {
    const wanted = [...new Set(c.value)];
    const hits = and([rows(undefined), d.inTextList(sql`a.v_text`, wanted)]);
    return {
      cond: sql`(SELECT count(DISTINCT a.v_text) FROM ${table} a WHERE a.profile_id = p.id AND ${hits}${d.fence}) = ${wanted.length}`,
      driver: sql`SELECT a.profile_id FROM ${table} a WHERE ${hits} GROUP BY a.profile_id HAVING count(DISTINCT a.v_text) = ${wanted.length}`,
      rank: DRIVER_RANK.selective,
    };
  }

  const { predicate, rank } = valuePredicate(d, c, now);
  // Scalars have one row per profile and name; list elements need DISTINCT to give each profile once.
  const distinct = c.valueType === 'string_list' ? sql`DISTINCT ` : sql``;
  return {
    cond: sql`EXISTS (${correlated(predicate)})`,
    driver: sql`SELECT ${distinct}a.profile_id FROM ${table} a WHERE ${rows(predicate)}`,
    rank,
  };
}

const vText: Scalar = sql`a.v_text`;
const vNum: Scalar = sql`a.v_num`;

function valuePredicate(d: SqlDialect, c: TypedValueCondition, now: number): { predicate: Cond; rank: number } {
  const selective = DRIVER_RANK.selective;
  const broad = DRIVER_RANK.broad;
  switch (c.valueType) {
    case 'string':
      switch (c.op) {
        case 'eq': return { predicate: compare(vText, 'eq', c.value), rank: selective };
        case 'ne': return { predicate: compare(vText, 'ne', c.value), rank: broad };
        case 'contains': return { predicate: d.contains(vText, c.value), rank: selective };
        case 'starts_with': return { predicate: d.startsWith(vText, c.value), rank: selective };
        case 'in': return { predicate: d.inTextList(vText, c.value), rank: selective };
        case 'not_in': return { predicate: not(d.inTextList(vText, c.value)), rank: broad };
      }
      break;
    case 'number':
      switch (c.op) {
        case 'eq': return { predicate: compare(vNum, 'eq', c.value), rank: selective };
        case 'in': return { predicate: d.inNumberList(vNum, c.value), rank: selective };
        case 'between': return { predicate: and([compare(vNum, 'gte', c.value[0]), compare(vNum, 'lte', c.value[1])]), rank: broad };
        case 'ne':
        case 'gt':
        case 'gte':
        case 'lt':
        case 'lte':
          return { predicate: compare(vNum, c.op, c.value), rank: broad };
      }
      break;
    case 'boolean':
      switch (c.op) {
        case 'is_true': return { predicate: compare(vNum, 'eq', 1), rank: selective };
        case 'is_false': return { predicate: compare(vNum, 'eq', 0), rank: broad };
      }
      break;
    case 'datetime':
      switch (c.op) {
        case 'before': return { predicate: compare(vNum, 'lt', Date.parse(c.value)), rank: broad };
        case 'after': return { predicate: compare(vNum, 'gt', Date.parse(c.value)), rank: broad };
        case 'between': return { predicate: and([compare(vNum, 'gte', Date.parse(c.value[0])), compare(vNum, 'lt', Date.parse(c.value[1]))]), rank: broad };
        case 'within_last': {
          const from = now - durationMs(c.value.amount, c.value.unit);
          return { predicate: and([compare(vNum, 'gte', from), compare(vNum, 'lt', now)]), rank: broad };
        }
      }
      break;
    case 'string_list':
      switch (c.op) {
        case 'contains': return { predicate: compare(vText, 'eq', c.value), rank: selective };
        case 'contains_any': return { predicate: d.inTextList(vText, c.value), rank: selective };
      }
      break;
  }
  throw new Error(`audience compiler: no SQL for ${c.kind} ${c.valueType} ${c.op}`);
}
