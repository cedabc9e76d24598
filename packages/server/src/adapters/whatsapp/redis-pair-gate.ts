import { Redis } from 'ioredis';
import { PAIR_INTERVAL_MS, type PairGate } from '../../services/dispatcher-flow-control';

/**
 * Meta's pair rate shared by every worker: a pair (number, recipient) is taken with `SET key NX PX`
 * (atomic; the key expires after the interval, so Redis forgets old pairs by itself). A refused pair
 * frees when its key expires (`PTTL`). A batch is one pipeline round trip.
 */
export function createRedisPairGate(url: string, opts: { prefix?: string } = {}): PairGate {
  const redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: 3 });
  const prefix = opts.prefix ?? 'wareach:pair:';
  return {
    async tryAcquire(keys, now) {
      const refused = new Map<string, number>();
      if (!keys.length) return refused;
      const set = redis.pipeline();
      for (const k of keys) set.set(prefix + k, '1', 'PX', PAIR_INTERVAL_MS, 'NX');
      const results = (await set.exec()) ?? [];
      const taken = keys.filter((_, i) => results[i]?.[1] !== 'OK');
      if (!taken.length) return refused;
      const ttl = redis.pipeline();
      for (const k of taken) ttl.pttl(prefix + k);
      const ttls = (await ttl.exec()) ?? [];
      taken.forEach((k, i) => refused.set(k, now + Math.max(1, Number(ttls[i]?.[1] ?? PAIR_INTERVAL_MS))));
      return refused;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
