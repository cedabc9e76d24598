import type { Clock } from '../../services/ports';

/**
 * The per-phone-number throughput limit (NOTES 5.1: 80 msgs/s by default, 1,000 when upgraded; over it
 * Meta answers 130429). A token bucket written as GCRA ("generic cell rate algorithm", the same bucket
 * kept as one number: the theoretical arrival time of the next message), so a reservation is a single
 * read-modify-write — in-process here, one Lua call in Redis — and a caller learns at once how long to
 * wait for its slot instead of polling.
 *
 * Reservations are committed: the caller must wait `waitMs` and then send (a retry reserves again, since
 * Meta counts every request).
 */
export interface RateLimit {
  /** Messages per second. */
  perSecond: number;
  /** Messages that may leave back to back after an idle spell (default: 100 ms worth, at least 1). */
  burst?: number;
}

export interface RateLimiter {
  /** Reserves one slot under `key`; resolves to the milliseconds to wait before sending (0 = now). */
  reserve(key: string, limit: RateLimit): Promise<number>;
  close(): Promise<void>;
}

/**
 * A tenth of a second's worth. Large enough that a short stall of the sending process (a GC pause, a busy
 * event loop) is made up afterwards instead of lost; small enough that a burst stays far inside a
 * one-second window (the sandbox's bucket, and Meta's per-second limit), and that the achieved rate over
 * any 30 s stays within 0.4 % of the limit.
 */
export const defaultBurst = (perSecond: number) => Math.max(1, Math.ceil(perSecond / 10));

/** One GCRA step: from the stored arrival time, the wait for this message and the new arrival time. */
export function gcraStep(storedTat: number | undefined, now: number, limit: RateLimit): { waitMs: number; tat: number } {
  const interval = 1000 / limit.perSecond;
  const tolerance = ((limit.burst ?? defaultBurst(limit.perSecond)) - 1) * interval;
  const tat = Math.max(storedTat ?? now, now);
  const start = Math.max(now, tat - tolerance);
  return { waitMs: start - now, tat: tat + interval };
}

/** One process's limiter. Keys that have gone idle are forgotten so the map does not grow forever. */
export function createInProcessRateLimiter(clock: Clock): RateLimiter {
  const tats = new Map<string, number>();
  let sweeps = 0;
  return {
    async reserve(key, limit) {
      if (!(limit.perSecond > 0)) return 0;
      const now = clock.now();
      const step = gcraStep(tats.get(key), now, limit);
      tats.set(key, step.tat);
      if (++sweeps % 10_000 === 0) for (const [k, t] of tats) if (t < now) tats.delete(k);
      return step.waitMs;
    },
    async close() {
      tats.clear();
    },
  };
}
