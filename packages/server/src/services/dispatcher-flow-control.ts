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

/**
 * Collects the claims made in one turn of the event loop (or up to 200) and writes them as one
 * transaction; each caller learns whether it won its row. The turn is the batching window: under load
 * a turn handles many answers, each freeing a send slot whose next row claims, so batches grow with
 * the load; when idle a claim waits for nothing (a timer would add its delay to every send).
 */
export function createClaimBatcher(claimMany: (ids: string[]) => Promise<Set<string>>) {
  let pending: { id: string; resolve: (won: boolean) => void; reject: (e: unknown) => void }[] = [];
  let timer: ReturnType<typeof setImmediate> | null = null;
  const flush = () => {
    timer = null;
    const batch = pending;
    pending = [];
    claimMany(batch.map((p) => p.id)).then(
      (won) => batch.forEach((p) => p.resolve(won.has(p.id))),
      (e: unknown) => batch.forEach((p) => p.reject(e)),
    );
  };
  return {
    claim(id: string): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ id, resolve, reject });
        if (pending.length >= 200) {
          if (timer) clearImmediate(timer);
          flush();
        } else if (!timer) timer = setImmediate(flush);
      });
    },
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
