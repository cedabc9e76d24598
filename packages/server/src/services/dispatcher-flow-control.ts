/**
 * Flow control of the dispatcher's sends: Meta's pair rate, the process's limit of requests in flight,
 * and the batching of claims made at nearly the same moment.
 */

/** Meta's pair rate: about one message per 6 s to one user from one number (NOTES 5.1). */
export const PAIR_INTERVAL_MS = 6_000;

/**
 * Meta's pair rate, in-process: when each (number, recipient) last got a message. Entries older than
 * the interval say nothing and are dropped oldest first, so a million-recipient run keeps only the last
 * few seconds of pairs. The order of sends is a queue of its own: a Map iterated from its start walks
 * over the holes its deletes leave until it is rehashed, which cost ~14 µs a send at 4,000 sends/s.
 */
export function createPairRate() {
  const last = new Map<string, number>();
  let keys: string[] = [];
  let times: number[] = [];
  let head = 0;
  return {
    freeAt(key: string, now: number): number {
      const t = last.get(key);
      return t !== undefined && now - t < PAIR_INTERVAL_MS ? t + PAIR_INTERVAL_MS : now;
    },
    sent(key: string, now: number) {
      last.set(key, now);
      keys.push(key);
      times.push(now);
      while (head < keys.length && now - times[head]! >= PAIR_INTERVAL_MS) {
        // A pair sent again since keeps its map entry: it is dropped only while it still holds this send.
        if (last.get(keys[head]!) === times[head]) last.delete(keys[head]!);
        head++;
      }
      if (head > 4096 && head * 2 > keys.length) {
        keys = keys.slice(head);
        times = times.slice(head);
        head = 0;
      }
    },
    /** Pairs remembered (for tests). */
    size: () => last.size,
  };
}

/**
 * Meta's pair rate as a gate every sender of a number passes: `tryAcquire` takes the pairs that are
 * free (marking them used for the interval) and answers, for each pair refused, when it frees. One
 * process: `inProcessPairGate`; several workers: the Redis gate (adapters/whatsapp/redis-pair-gate.ts)
 * so that two workers cannot each send one user a message within the interval.
 */
export interface PairGate {
  tryAcquire(keys: string[], now: number): Promise<Map<string, number>>;
  close?(): Promise<void>;
}

export function inProcessPairGate(): PairGate {
  const pairs = createPairRate();
  return {
    async tryAcquire(keys, now) {
      const refused = new Map<string, number>();
      for (const k of keys) {
        const free = pairs.freeAt(k, now);
        if (free > now) refused.set(k, free);
        else pairs.sent(k, now);
      }
      return refused;
    },
  };
}

export interface ClaimBatching {
  /** Most rows a write claims. */
  maxBatch: number;
  /** Rows worth a write of their own while the sends are fed (below it a write waits for more). */
  minBatch: number;
  /**
   * Claimed rows not yet handed to the channel: the sends' reserve. While it holds `lowWater` or
   * more, a write may wait for `minBatch` claims; below it, claims are written at once.
   */
  reserve: () => number;
  lowWater: number;
}

/**
 * Collects claims and writes them together, as a database groups commits. At most one claim write is
 * in flight; the claims that arrive meanwhile go together in the next. A write also waits for
 * `minBatch` claims while the sends have a reserve of claimed rows to go on with, so that under load a
 * write claims a hundred rows, not the handful that arrive in one round trip (a statement and a
 * commit each); with no reserve (idle, a batch's last rows, a trigger's one message) claims are
 * written at once, after the rest of the event loop's turn. Call `poke` when the reserve falls. Each
 * caller learns whether it won its row.
 */
export function createClaimBatcher(claimMany: (ids: string[]) => Promise<Set<string>>, opts: Partial<ClaimBatching> = {}) {
  const maxBatch = opts.maxBatch ?? 500;
  const minBatch = opts.minBatch ?? 1;
  const lowWater = opts.lowWater ?? 0;
  const reserve = opts.reserve ?? (() => 0);
  type Pending = { id: string; resolve: (won: boolean) => void; reject: (e: unknown) => void };
  let pending: Pending[] = [];
  let scheduled = false;
  let writing = false;
  const flush = () => {
    scheduled = false;
    if (writing || !pending.length) return;
    if (pending.length < minBatch && reserve() >= lowWater) return; // a later claim or `poke` writes
    const batch = pending.slice(0, maxBatch);
    pending = pending.slice(batch.length);
    writing = true;
    const done = () => {
      writing = false;
      flush();
    };
    claimMany(batch.map((p) => p.id)).then(
      (won) => {
        batch.forEach((p) => p.resolve(won.has(p.id)));
        done();
      },
      (e: unknown) => {
        batch.forEach((p) => p.reject(e));
        done();
      },
    );
  };
  const schedule = () => {
    if (!scheduled && !writing && pending.length) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    claim(id: string): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ id, resolve, reject });
        schedule();
      });
    },
    /** The reserve fell: claims held back for a larger write may have to go now. */
    poke: schedule,
  };
}

/** At most `n` holders at once; the rest wait in order. */
export function createSemaphore(n: number) {
  let free = n;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (free > 0) { free--; return; }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}
