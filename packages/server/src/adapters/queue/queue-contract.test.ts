import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Redis } from 'ioredis';
import { createTestDatabase, TEST_REDIS_URL } from '../../../test/helpers';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../storage/database';
import { createQueueStore } from '../storage/queue-store';
import { systemClock } from '../../services/ports';
import { createBullmqQueue } from './bullmq-queue';
import { createEmbeddedQueue } from './embedded-queue';
import { defineJob, type Queue } from './queue-port';

/**
 * One contract, two adapters (DESIGN habit 7): the embedded queue on SQLite and on PostgreSQL, and
 * BullMQ on Redis. Real time with millisecond backoffs; waits poll for a condition, never a fixed sleep.
 */
const echo = defineJob({ name: 'test.echo', version: 1, schema: z.object({ n: z.number() }), retry: { attempts: 3, backoff: { baseMs: 5, maxMs: 20 } } });

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Fixture {
  make(): Queue;
  cleanup(): Promise<void>;
}

const fixtures: Record<string, () => Promise<Fixture>> = {
  'embedded (sqlite)': () => embeddedFixture('sqlite'),
  'embedded (postgres)': () => embeddedFixture('postgres'),
  bullmq: async () => {
    const prefix = `wareach-test-${randomBytes(5).toString('hex')}`;
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    await redis.ping(); // Redis down is a failure, never a skip
    return {
      make: () => createBullmqQueue({ redisUrl: TEST_REDIS_URL, prefix, visibilityMs: 2_000 }),
      async cleanup() {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length) await redis.del(...keys);
        await redis.quit();
      },
    };
  },
};

async function embeddedFixture(dialect: 'sqlite' | 'postgres'): Promise<Fixture> {
  const tdb = await createTestDatabase(dialect);
  const handle: DatabaseHandle = openDatabase(tdb.database, { poolSize: 4 });
  await migrateToLatest(handle.db);
  return {
    make: () => createEmbeddedQueue({ store: createQueueStore(handle), clock: systemClock, pollMs: 10, visibilityMs: 500 }),
    async cleanup() {
      await handle.close();
      await tdb.drop();
    },
  };
}

for (const [label, makeFixture] of Object.entries(fixtures)) {
  describe(`queue contract: ${label}`, () => {
    let fx: Fixture;
    const open: Queue[] = [];
    const make = () => {
      const q = fx.make();
      open.push(q);
      return q;
    };
    beforeAll(async () => {
      fx = await makeFixture();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((q) => q.close()));
    });
    afterAll(async () => {
      await fx.cleanup();
    });

    it('runs every enqueued job once with its typed payload', async () => {
      const def = { ...echo, name: 'once' };
      const q = make();
      const seen: number[] = [];
      q.consume(def, async (p) => { seen.push(p.n); }, { concurrency: 4 });
      await q.enqueue(def, Array.from({ length: 50 }, (_, n) => ({ payload: { n } })));
      await until(() => seen.length >= 50);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n));
      await until(async () => (await q.counts(def)).pending === 0);
    });

    it('retries a failing job with backoff and succeeds on a later attempt', async () => {
      const def = { ...echo, name: 'retry' };
      const q = make();
      const attempts: number[] = [];
      q.consume(def, async (_p, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error('transient');
      });
      await q.enqueue(def, [{ payload: { n: 1 } }]);
      await until(() => attempts.length >= 3);
      expect(attempts).toEqual([1, 2, 3]);
      await until(async () => (await q.counts(def)).pending === 0);
      expect((await q.counts(def)).dead).toBe(0);
    });

    it('keeps a job that fails every attempt as a dead letter with its last error', async () => {
      const def = { ...echo, name: 'dead' };
      const q = make();
      let runs = 0;
      q.consume(def, async () => {
        runs++;
        throw new Error('always broken');
      });
      await q.enqueue(def, [{ payload: { n: 7 } }]);
      await until(async () => (await q.counts(def)).dead === 1);
      expect(runs).toBe(3);
      const dead = await q.deadLetters(def);
      expect(dead).toHaveLength(1);
      expect(dead[0]!.payload).toEqual({ n: 7 });
      expect(dead[0]!.error).toContain('always broken');
    });

    it('dead-letters a payload that does not match the schema without retrying it', async () => {
      const def = { ...echo, name: 'badpayload' };
      const q = make();
      let runs = 0;
      q.consume(def, async () => { runs++; });
      await q.enqueue(def as never, [{ payload: { n: 'not a number' } }]);
      await until(async () => (await q.counts(def)).dead === 1);
      expect(runs).toBe(0);
    });

    it('does not run a delayed job before its delay', async () => {
      const def = { ...echo, name: 'delayed' };
      const q = make();
      let ranAt = 0;
      q.consume(def, async () => { ranAt = Date.now(); });
      const start = Date.now();
      await q.enqueue(def, [{ payload: { n: 1 }, delayMs: 300 }]);
      await until(() => ranAt > 0);
      expect(ranAt - start).toBeGreaterThanOrEqual(280);
    });

    it('ignores a second enqueue with the same key while the first is pending', async () => {
      const def = { ...echo, name: 'keyed' };
      const q = make();
      await q.enqueue(def, [{ payload: { n: 1 }, key: 'run:1', delayMs: 200 }]);
      await q.enqueue(def, [{ payload: { n: 2 }, key: 'run:1', delayMs: 200 }]);
      const seen: number[] = [];
      q.consume(def, async (p) => { seen.push(p.n); });
      await until(() => seen.length >= 1);
      await until(async () => (await q.counts(def)).pending === 0);
      expect(seen).toEqual([1]);
    });

    it('keeps jobs across a restart: a new queue instance runs what the closed one left', async () => {
      const def = { ...echo, name: 'restart' };
      const first = make();
      await first.enqueue(def, Array.from({ length: 10 }, (_, n) => ({ payload: { n } })));
      await first.close();
      const second = make();
      const seen: number[] = [];
      second.consume(def, async (p) => { seen.push(p.n); });
      await until(() => seen.length >= 10);
      expect(new Set(seen).size).toBe(10);
    });

    it('shares work between two consumers without running a job twice', async () => {
      const def = { ...echo, name: 'shared' };
      const a = make();
      const b = make();
      const byA: number[] = [];
      const byB: number[] = [];
      const slow = () => new Promise((r) => setTimeout(r, 2));
      a.consume(def, async (p) => { byA.push(p.n); await slow(); }, { concurrency: 4 });
      b.consume(def, async (p) => { byB.push(p.n); await slow(); }, { concurrency: 4 });
      await a.enqueue(def, Array.from({ length: 200 }, (_, n) => ({ payload: { n } })));
      await until(() => byA.length + byB.length >= 200);
      await until(async () => (await a.counts(def)).pending === 0);
      const all = [...byA, ...byB];
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
    });
  });
}

/**
 * The embedded queue hands jobs that are ready to a consumer of the same process with room for them:
 * written already claimed, run without a claim. What that must not change: the claim's visibility
 * timeout still protects the job, and what the consumer has no room for waits in the table.
 */
describe('embedded queue: jobs handed to a local consumer', () => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  const make = (pollMs: number) => createEmbeddedQueue({ store: createQueueStore(handle), clock: systemClock, pollMs, visibilityMs: 300 });
  beforeAll(async () => {
    const tdb = await createTestDatabase('sqlite');
    handle = openDatabase(tdb.database);
    await migrateToLatest(handle.db);
    drop = () => tdb.drop();
  });
  afterAll(async () => {
    await handle.close();
    await drop();
  });

  it('runs what it has room for at once, without a poll, and leaves the rest for the claim', async () => {
    const def = { ...echo, name: 'handed' };
    const q = make(10_000);
    const started: number[] = [];
    let release = () => {};
    const gate = new Promise<void>((r) => { release = r; });
    q.consume(def, async (p) => { started.push(p.n); await gate; }, { concurrency: 3 });
    // The consumer's first poll found nothing; its next is 10 s away: only the hand-over can start these.
    await until(async () => (await handle.db.selectFrom('queue_jobs').select('id').execute()).length === 0);
    await q.enqueue(def, Array.from({ length: 5 }, (_, n) => ({ payload: { n } })));
    await until(() => started.length === 3);
    const rows = await handle.db.selectFrom('queue_jobs').select(['locked_by', 'attempts']).where('name', '=', 'handed.v1').orderBy('id').execute();
    expect(rows.map((r) => [r.locked_by !== null, Number(r.attempts)])).toEqual([[true, 1], [true, 1], [true, 1], [false, 0], [false, 0]]);
    release();
    // Finishing a job wakes the consumer, which claims the two left.
    await until(() => started.length === 5);
    expect([...started].sort()).toEqual([0, 1, 2, 3, 4]);
    await until(async () => (await q.counts(def)).pending === 0);
    await q.close();
  });

  it("a handed job whose process stops before finishing it is claimed again once its visibility passes", async () => {
    const def = { ...echo, name: 'orphan' };
    const first = make(10_000);
    let hang = () => {};
    first.consume(def, () => new Promise<void>((r) => { hang = r; }), { concurrency: 1 });
    await first.enqueue(def, [{ payload: { n: 9 } }]);
    // The process goes away without completing it (stop() would wait for the hung handler).
    const row = await handle.db.selectFrom('queue_jobs').select(['id', 'locked_until']).where('name', '=', 'orphan.v1').executeTakeFirstOrThrow();
    await handle.db.updateTable('queue_jobs').set({ locked_by: 'gone-process' }).where('id', '=', row.id).execute();
    const second = make(20);
    const seen: { n: number; attempt: number }[] = [];
    second.consume(def, async (p, ctx) => { seen.push({ n: p.n, attempt: ctx.attempt }); }, { concurrency: 1 });
    await until(() => seen.length === 1);
    expect(seen).toEqual([{ n: 9, attempt: 2 }]);
    expect(Date.now()).toBeGreaterThanOrEqual(Number(row.locked_until));
    await second.close();
    hang();
    await first.close();
  });
});
