/** How often a user is reached by a triggered task: `cumulative N` once, `every N` on each multiple. */
import type { CountingKind } from './event-schemas';

export interface CountStep {
  /** The user's count of qualifying-range events A, this one included. */
  count: number;
  /** Whether this event is the one that reaches the user. */
  qualifies: boolean;
}

/**
 * `countBefore` is how many A events the user had in the range before this one. `cumulative`:
 * qualifies only when the count reaches N (later events never qualify again); `every`: qualifies at
 * N, 2N, 3N, …
 */
export function countStep(countBefore: number, kind: CountingKind, n: number): CountStep {
  const count = countBefore + 1;
  switch (kind) {
    case 'cumulative':
      return { count, qualifies: count === n };
    case 'every':
      return { count, qualifies: count % n === 0 };
  }
}
