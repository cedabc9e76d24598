import { sql } from 'kysely';
import { resolveTimeRange, type EventCondition } from '@wareach/core';
import { propertyFilterSql } from './property-filter-sql';
import { and, not, type Cond, type SqlDialect } from './sql-fragments';
import { DRIVER_RANK, type LeafSql } from './leaf-sql';

/**
 * Behaviour leaves over `events` (indexed by (name, at, profile_id)): n = the profile's events of that
 * exact name with `at` in [start, end) and every property filter matching. `did: true` needs n ≥ 1 and,
 * with a count, n within it; `did: false` needs n = 0. A count is turned into the range [lo, hi] of n
 * that satisfies both, so one subquery answers it.
 */
export function eventSql(d: SqlDialect, leaf: EventCondition, now: number): LeafSql {
  const range = resolveTimeRange(leaf.timeRange, now);
  const matching = and([
    sql`e.name = ${leaf.name}`,
    sql`e.at >= ${range.start}`,
    sql`e.at < ${range.end}`,
    ...leaf.filters.map((f) => propertyFilterSql(d, sql`e.properties`, f)),
  ]);
  const any: Cond = sql`EXISTS (SELECT 1 FROM events e WHERE e.profile_id = p.id AND ${matching}${d.fence})`;
  if (!leaf.did) return { cond: not(any), rank: DRIVER_RANK.none };

  const bounds = countBounds(leaf.count);
  if (bounds.lo <= 1 && bounds.hi === undefined) {
    return { cond: any, driver: sql`SELECT DISTINCT e.profile_id FROM events e WHERE ${matching}`, rank: DRIVER_RANK.event };
  }
  const n = sql`count(*)`;
  const within = bounds.hi === undefined ? sql`>= ${bounds.lo}` : sql`BETWEEN ${bounds.lo} AND ${bounds.hi}`;
  return {
    cond: sql`(SELECT ${n} FROM events e WHERE e.profile_id = p.id AND ${matching}${d.fence}) ${within}`,
    driver: sql`SELECT e.profile_id FROM events e WHERE ${matching} GROUP BY e.profile_id HAVING ${n} ${within}`,
    rank: DRIVER_RANK.event,
  };
}

/** The counts n ≥ 1 that satisfy the count (hi undefined: unbounded; lo > hi: none). */
export function countBounds(count: EventCondition['count']): { lo: number; hi?: number } {
  if (!count) return { lo: 1 };
  const v = count.value;
  switch (count.op) {
    case 'gte': return { lo: Math.max(v, 1) };
    case 'gt': return { lo: Math.max(v + 1, 1) };
    case 'lte': return { lo: 1, hi: v };
    case 'lt': return { lo: 1, hi: v - 1 };
    case 'eq': return { lo: Math.max(v, 1), hi: v };
  }
}
