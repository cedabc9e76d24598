/**
 * A small deterministic generator (mulberry32) for fixtures and property tests: the same seed gives the
 * same sequence on every machine, so a failing seed can be replayed. Not for anything secret.
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Distinct items in their original order, between `min` and `max` of them. */
  subset<T>(items: readonly T[], min: number, max: number): T[];
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  };
  const subset = <T>(items: readonly T[], min: number, max: number): T[] => {
    const want = int(Math.min(min, items.length), Math.min(max, items.length));
    const chosen = new Set<number>();
    while (chosen.size < want) chosen.add(int(0, items.length - 1));
    return items.filter((_, i) => chosen.has(i));
  };
  return { next, int, chance: (p) => next() < p, pick, subset };
}
