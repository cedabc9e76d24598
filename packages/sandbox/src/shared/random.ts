/** Seeded pseudo-random numbers (mulberry32), so fault injection replays identically for one seed. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** True with probability `ratio` (0 → never, 1 → always, without drawing a number). */
  chance(ratio: number): boolean;
  /** Integer in [0, max). */
  int(max: number): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance(ratio) {
      if (ratio <= 0) return false;
      if (ratio >= 1) return true;
      return next() < ratio;
    },
    int(max) {
      return Math.floor(next() * max);
    },
  };
}
