import { Redis } from 'ioredis';
import type { Clock } from '../../services/ports';
import { defaultBurst, type RateLimiter } from './rate-limiter';

/**
 * The same GCRA bucket as the in-process limiter, kept in Redis so that every worker sending from one
 * phone number shares one limit. The whole step runs in one Lua script (atomic: two workers cannot both
 * take the last slot). Time comes from the Redis server (`TIME`) so workers with slightly different
 * clocks still agree; tests pass an injected clock instead.
 *
 * KEYS[1] bucket key; ARGV: interval ms, tolerance ms, now ms or "" for Redis TIME.
 * Returns the wait in microseconds (an integer: Lua numbers are truncated on the way out).
 */
const SCRIPT = `
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local now
if ARGV[3] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
else
  now = tonumber(ARGV[3])
end
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local start = tat - tolerance
if start < now then start = now end
local newTat = tat + interval
redis.call('SET', KEYS[1], string.format('%.6f', newTat), 'PX', math.ceil(newTat - now + 60000))
return math.floor((start - now) * 1000)
`;

export interface RedisRateLimiterOptions {
  /** Key prefix (default `wareach:rate:`). */
  prefix?: string;
  /** Tests inject a clock; production uses the Redis server's clock. */
  clock?: Clock;
}

type WithGcra = Redis & { wareachGcra(key: string, interval: string, tolerance: string, now: string): Promise<number> };

export function createRedisRateLimiter(url: string, opts: RedisRateLimiterOptions = {}): RateLimiter {
  // Auto-pipelining: the reservations of every send that asks in one turn of the event loop travel in
  // one write (one socket write per message cost more CPU than the script itself).
  const redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: 3, enableAutoPipelining: true }) as WithGcra;
  redis.defineCommand('wareachGcra', { numberOfKeys: 1, lua: SCRIPT });
  const prefix = opts.prefix ?? 'wareach:rate:';
  return {
    async reserve(key, limit) {
      if (!(limit.perSecond > 0)) return 0;
      const interval = 1000 / limit.perSecond;
      const tolerance = ((limit.burst ?? defaultBurst(limit.perSecond)) - 1) * interval;
      const micros = await redis.wareachGcra(prefix + key, String(interval), String(tolerance), opts.clock ? String(opts.clock.now()) : '');
      return Number(micros) / 1000;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
