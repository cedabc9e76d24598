import { Redis } from 'ioredis';
import type { Clock } from '../../services/ports';
import { defaultBurst, type RateLimit, type RateLimiter } from './rate-limiter';

/**
 * The same GCRA bucket as the in-process limiter, kept in Redis so that every worker sending from one
 * phone number shares one limit. The whole step runs in one Lua script (atomic: two workers cannot both
 * take the last slot). Time comes from the Redis server (`TIME`) so workers with slightly different
 * clocks still agree; tests pass an injected clock instead.
 *
 * KEYS[1] bucket key; ARGV: interval ms, tolerance ms, now ms or "" for Redis TIME, count.
 * Takes `count` slots one after the other, as `count` calls at the same instant would, and returns each
 * one's wait in microseconds (integers: Lua numbers are truncated on the way out).
 */
const SCRIPT = `
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local count = tonumber(ARGV[4])
local now
if ARGV[3] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
else
  now = tonumber(ARGV[3])
end
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
local waits = {}
for i = 1, count do
  if tat < now then tat = now end
  local start = tat - tolerance
  if start < now then start = now end
  tat = tat + interval
  waits[i] = math.floor((start - now) * 1000)
end
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', math.ceil(tat - now + 60000))
return waits
`;

export interface RedisRateLimiterOptions {
  /** Key prefix (default `wareach:rate:`). */
  prefix?: string;
  /** Tests inject a clock; production uses the Redis server's clock. */
  clock?: Clock;
}

type WithGcra = Redis & { wareachGcra(key: string, interval: string, tolerance: string, now: string, count: string): Promise<number[]> };

export function createRedisRateLimiter(url: string, opts: RedisRateLimiterOptions = {}): RateLimiter {
  const redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: 3 }) as WithGcra;
  redis.defineCommand('wareachGcra', { numberOfKeys: 1, lua: SCRIPT });
  const prefix = opts.prefix ?? 'wareach:rate:';
  /**
   * Reservations asked in one turn of the event loop, per key and limit: one script call takes them all
   * (a broadcast asks for one per message; a call each cost more CPU, here and in Redis, than the step).
   */
  let pending = new Map<string, { key: string; limit: RateLimit; waiters: { resolve: (ms: number) => void; reject: (e: unknown) => void }[] }>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const groups = pending;
    pending = new Map();
    for (const g of groups.values()) {
      const interval = 1000 / g.limit.perSecond;
      const tolerance = ((g.limit.burst ?? defaultBurst(g.limit.perSecond)) - 1) * interval;
      redis.wareachGcra(prefix + g.key, String(interval), String(tolerance), opts.clock ? String(opts.clock.now()) : '', String(g.waiters.length)).then(
        (micros) => g.waiters.forEach((w, i) => w.resolve(Number(micros[i]) / 1000)),
        (e: unknown) => g.waiters.forEach((w) => w.reject(e)),
      );
    }
  };
  return {
    reserve(key, limit) {
      if (!(limit.perSecond > 0)) return Promise.resolve(0);
      return new Promise<number>((resolve, reject) => {
        const k = `${key}\u0000${limit.perSecond}\u0000${limit.burst ?? ''}`;
        let g = pending.get(k);
        if (!g) pending.set(k, (g = { key, limit, waiters: [] }));
        g.waiters.push({ resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
