import { randomBytes } from 'node:crypto';
import { createManualTime, createSandbox, startSandboxServer } from '@wareach/sandbox';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../services/ports';
import { TEST_REDIS_URL } from '../../../test/helpers';
import { createCloudApiClient } from './cloud-api-client';
import { createInProcessRateLimiter, gcraStep, type RateLimiter } from './rate-limiter';
import { createRedisRateLimiter } from './redis-rate-limiter';

// Rates are measured on injected clocks: reservations made at a frozen instant must be spaced exactly
// 1/rate apart, so the achieved rate is read off the schedule, never off the wall clock.

async function schedule(limiter: RateLimiter, key: string, n: number, perSecond: number, burst?: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) waits.push(await limiter.reserve(key, { perSecond, ...(burst !== undefined ? { burst } : {}) }));
  return waits;
}

const redisPrefix = () => `wareach-test:${randomBytes(6).toString('hex')}:`;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const f of cleanups) await f();
});

async function dropKeys(prefix: string) {
  const r = new Redis(TEST_REDIS_URL);
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
}

describe('GCRA token bucket', () => {
  it('spaces messages exactly 1/rate apart after the burst', () => {
    let tat: number | undefined;
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = gcraStep(tat, 1000, { perSecond: 80, burst: 2 });
      tat = s.tat;
      waits.push(s.waitMs);
    }
    expect(waits).toEqual([0, 0, 12.5, 25, 37.5]);
  });

  it('an idle number does not bank more than its burst', () => {
    const s1 = gcraStep(undefined, 0, { perSecond: 10, burst: 3 });
    const later = gcraStep(s1.tat, 60_000, { perSecond: 10, burst: 3 });
    expect(later.waitMs).toBe(0);
    let tat = later.tat;
    const waits = [];
    for (let i = 0; i < 4; i++) {
      const s = gcraStep(tat, 60_000, { perSecond: 10, burst: 3 });
      tat = s.tat;
      waits.push(s.waitMs);
    }
    expect(waits).toEqual([0, 0, 100, 200]);
  });
});

const limiters: [string, (clock: ManualClock) => Promise<{ limiter: RateLimiter; second: () => RateLimiter }>][] = [
  ['in-process', async (clock) => {
    const l = createInProcessRateLimiter(clock);
    return { limiter: l, second: () => l };
  }],
  ['Redis', async (clock) => {
    const prefix = redisPrefix();
    const made: RateLimiter[] = [];
    const make = () => {
      const l = createRedisRateLimiter(TEST_REDIS_URL, { prefix, clock });
      made.push(l);
      return l;
    };
    cleanups.push(async () => {
      for (const l of made) await l.close();
      await dropKeys(prefix);
    });
    const l = make();
    return { limiter: l, second: make };
  }],
];

describe.each(limiters)('%s limiter', (_name, make) => {
  it.each([80, 1000])('keeps %i msgs/s: 3 s worth of reservations at one instant end 3 s later', async (rate) => {
    const clock = new ManualClock(1_700_000_000_000);
    const { limiter } = await make(clock);
    const n = rate * 3;
    const waits = await schedule(limiter, 'phone-a', n, rate, 1);
    expect(waits[0]).toBe(0);
    // The n-th message leaves (n-1)/rate seconds after the first: exactly the limit.
    expect(waits[n - 1]).toBeCloseTo(((n - 1) * 1000) / rate, 0);
    const achieved = (n - 1) / (waits[n - 1]! / 1000);
    expect(Math.abs(achieved - rate) / rate).toBeLessThan(0.02);
  });

  it('keys are independent, and two workers on one key share one limit', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { limiter, second } = await make(clock);
    const other = second();
    const a: number[] = [];
    for (let i = 0; i < 40; i++) a.push(await (i % 2 ? other : limiter).reserve('shared', { perSecond: 20, burst: 1 }));
    expect(a[39]).toBeCloseTo(39 * 50, 0);
    expect(await limiter.reserve('separate', { perSecond: 20, burst: 1 })).toBe(0);
  });

  it('reservations asked together (one Redis call) get the waits that one after another would', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { limiter } = await make(clock);
    const waits = await Promise.all(Array.from({ length: 50 }, () => limiter.reserve('together', { perSecond: 100, burst: 1 })));
    expect(waits).toEqual(Array.from({ length: 50 }, (_, i) => expect.closeTo(i * 10, 3)));
    expect(await limiter.reserve('together', { perSecond: 100, burst: 1 })).toBeCloseTo(500, 3);
  });

  it('lets time pass: after the schedule has elapsed a message goes at once', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { limiter } = await make(clock);
    await schedule(limiter, 'k', 10, 10, 1);
    clock.advance(5_000);
    expect(await limiter.reserve('k', { perSecond: 10, burst: 1 })).toBe(0);
  });
});

describe('Redis limiter on the Redis server clock', () => {
  it('spaces two reservations by the interval using Redis TIME when no clock is injected', async () => {
    const prefix = redisPrefix();
    const l = createRedisRateLimiter(TEST_REDIS_URL, { prefix });
    cleanups.push(async () => { await l.close(); await dropKeys(prefix); });
    expect(await l.reserve('k', { perSecond: 1, burst: 1 })).toBe(0);
    const w = await l.reserve('k', { perSecond: 1, burst: 1 });
    expect(w).toBeGreaterThan(900);
    expect(w).toBeLessThanOrEqual(1000);
  });
});

describe('the client keeps to the limit', () => {
  it('sends 200 messages at 80/s to a sandbox limited to 80/s without a single 130429', async () => {
    const time = createManualTime(Date.UTC(2026, 0, 5));
    const sandbox = createSandbox({ accessTokens: ['t'], appSecret: 's', now: time.now, scheduler: time.scheduler, faults: { throughputPerSecond: 80, enforceWindow: false } });
    const sbx = await startSandboxServer({ sandbox });
    const clock = { now: time.now };
    const client = createCloudApiClient({ limiter: createInProcessRateLimiter(clock), sleep: async (ms) => time.advance(ms), random: () => 0.5, retry: { maxAttempts: 1 } });
    const ctx = { baseUrl: `${sbx.url}/sandbox/graph`, version: 'v23.0', accessToken: 't', phoneNumberId: '106540352242922', throughput: 80 };
    const start = time.now();
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      const out = await client.sendMessage(ctx, { messaging_product: 'whatsapp', to: `+86138001${String(i).padStart(5, '0')}`, type: 'text', text: { body: 'hi' } });
      if (out.kind === 'accepted') accepted++;
    }
    const elapsed = time.now() - start;
    expect(accepted).toBe(200);
    expect(sandbox.summary().messages.rejectedByCode['130429'] ?? 0).toBe(0);
    // Default burst at 80/s is 8 messages (100 ms worth): the other 192 go 12.5 ms apart.
    expect(elapsed).toBeCloseTo(192 * 12.5, 0);
    await client.close();
    await sbx.close();
  });
});
