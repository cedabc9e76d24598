import type { Cond, Scalar } from './sql-fragments';

/**
 * A compiled leaf. `cond` tests the outer profile `p` (a correlated subquery, answered by point
 * lookups on the leaf table's primary key). `driver`, for leaves that can only hold for profiles that
 * have some row, is the same set as an uncorrelated query returning each `profile_id` once: a rule
 * whose root is an AND is driven from its most selective such child, so a query over a million
 * profiles reads the few thousand candidates instead of scanning them all.
 */
export interface LeafSql {
  cond: Cond;
  driver?: Scalar;
  /** Lower is expected to be smaller; only a guess from the operator, never from data. */
  rank: number;
}

export const DRIVER_RANK = {
  /** did E (time-bounded, usually few profiles). */
  event: 1,
  /** Membership of a stored segment. */
  segment: 2,
  /** Equality, lists, substrings, true booleans. */
  selective: 3,
  /** Ranges, inequality, false booleans. */
  broad: 4,
  /** Has any value / any identity of a type. */
  presence: 5,
  none: 99,
} as const;
