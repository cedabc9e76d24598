import { Queue as BullQueue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { backoffDelay } from '@wareach/core';
import {
  InvalidPayloadError,
  parsePayload,
  wireName,
  type ConsumeOptions,
  type EnqueueItem,
  type JobDefinition,
  type JobHandler,
  type Queue,
} from './queue-port';

export interface BullmqQueueOptions {
  redisUrl: string;
  /** Key prefix: separates installations (and tests) sharing one Redis. */
  prefix?: string;
  /** BullMQ's lock duration: a worker that stops renewing it (a crash) has its job moved back to wait. */
  visibilityMs?: number;
  random?: () => number;
  onError?: (error: unknown, job: { name: string; id: string }) => void;
}

// BullMQ refuses custom job ids containing ':'; our keys use it (task:run…), so map it to another char.
const jobIdOf = (key: string) => key.replaceAll(':', '|');

/**
 * The queue at scale: BullMQ on Redis, one BullMQ queue per job definition. Retries use the
 * definition's backoff through a custom strategy; a job out of attempts stays in BullMQ's failed set,
 * which is the dead-letter list. Worker connections need `maxRetriesPerRequest: null` (BullMQ blocks
 * on Redis commands).
 */
export function createBullmqQueue(opts: BullmqQueueOptions): Queue {
  const prefix = opts.prefix ?? 'wareach';
  const random = opts.random ?? Math.random;
  const producer = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const queues = new Map<string, BullQueue>();
  const workers: Worker[] = [];
  const workerConnections: Redis[] = [];

  const queueFor = (def: { name: string; version: number }) => {
    const name = wireName(def);
    let q = queues.get(name);
    if (!q) {
      q = new BullQueue(name, { connection: producer, prefix });
      queues.set(name, q);
    }
    return q;
  };

  return {
    kind: 'bullmq',
    async enqueue<P>(def: JobDefinition<P>, items: EnqueueItem<P>[]) {
      if (items.length === 0) return;
      const q = queueFor(def);
      const name = wireName(def);
      for (let i = 0; i < items.length; i += 1000) {
        await q.addBulk(
          items.slice(i, i + 1000).map((item) => ({
            name,
            data: item.payload,
            opts: {
              attempts: def.retry.attempts,
              backoff: { type: 'wareach' },
              removeOnComplete: true,
              removeOnFail: false,
              ...(item.delayMs ? { delay: item.delayMs } : {}),
              ...(item.key ? { jobId: jobIdOf(item.key) } : {}),
            },
          })),
        );
      }
    },
    consume<P>(def: JobDefinition<P>, handler: JobHandler<P>, o: ConsumeOptions = {}) {
      const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
      workerConnections.push(connection);
      const worker = new Worker(
        wireName(def),
        async (job: Job) => {
          let payload: P;
          try {
            payload = parsePayload(def, job.data);
          } catch (e) {
            throw new UnrecoverableError(e instanceof InvalidPayloadError ? e.message : String(e));
          }
          await handler(payload, { jobId: job.id ?? '', attempt: job.attemptsMade + 1 });
        },
        {
          connection,
          prefix,
          concurrency: o.concurrency ?? 8,
          lockDuration: opts.visibilityMs ?? 60_000,
          settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, def.retry.backoff, random) },
        },
      );
      worker.on('failed', (job, err) => opts.onError?.(err, { name: wireName(def), id: job?.id ?? '' }));
      worker.on('error', (err) => opts.onError?.(err, { name: wireName(def), id: '' }));
      workers.push(worker);
    },
    async deadLetters(def, limit = 100) {
      const jobs = await queueFor(def).getFailed(0, limit - 1);
      return jobs.map((j) => ({ jobId: j.id ?? '', payload: j.data as unknown, attempts: j.attemptsMade, error: j.failedReason ?? null }));
    },
    async counts(def) {
      const c = await queueFor(def).getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
      return { pending: (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), dead: c.failed ?? 0 };
    },
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      workers.length = 0;
      await Promise.all(workerConnections.map((c) => c.quit().catch(() => {})));
      workerConnections.length = 0;
    },
    async close() {
      await this.stop();
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
      await producer.quit().catch(() => {});
    },
  };
}
