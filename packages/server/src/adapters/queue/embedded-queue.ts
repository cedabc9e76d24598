import { randomUUID } from 'node:crypto';
import { backoffDelay } from '@wareach/core';
import type { ClaimedJob, QueueStore } from '../storage/queue-store';
import type { Clock } from '../../services/ports';
import {
  errorText,
  InvalidPayloadError,
  parsePayload,
  wireName,
  type ConsumeOptions,
  type EnqueueItem,
  type JobDefinition,
  type JobHandler,
  type Queue,
} from './queue-port';

export interface EmbeddedQueueOptions {
  store: QueueStore;
  clock: Clock;
  /** How long a claim holds a job before another consumer may take it (renewed while the handler runs). */
  visibilityMs?: number;
  /** How often an idle consumer looks for work; a local enqueue wakes it at once. */
  pollMs?: number;
  random?: () => number;
  onError?: (error: unknown, job: { name: string; id: number }) => void;
  /** false: consume() only registers handlers and work runs through drain() (tests on a manual clock). */
  autoStart?: boolean;
}

interface Consumer {
  name: string;
  running: number;
  concurrency: number;
  stopped: boolean;
  /**
   * Whether ready jobs may be waiting in the table: a local enqueue left some there, or the last claim
   * filled all the room it had. A finished job wakes the consumer only then; otherwise a claim would
   * find nothing, and jobs other processes enqueue are found by the poll.
   */
  backlog: boolean;
  wake: () => void;
  loop: Promise<void>;
}

/**
 * The durable queue of embedded mode, on the application database (queue-store.ts has the claim
 * rule). Jobs survive a restart because they are rows; a consumer that dies mid-job loses its claim
 * when the visibility timeout passes. `drain()` runs every ready job to completion — tests move an
 * injected clock and drain instead of sleeping.
 */
export function createEmbeddedQueue(opts: EmbeddedQueueOptions): Queue & { drain(maxRounds?: number): Promise<number> } {
  const { store, clock } = opts;
  const visibilityMs = opts.visibilityMs ?? 60_000;
  const pollMs = opts.pollMs ?? 100;
  const random = opts.random ?? Math.random;
  const consumerId = randomUUID();
  const handlers = new Map<string, { def: JobDefinition<unknown>; handler: JobHandler<unknown> }>();
  const consumers: Consumer[] = [];
  const inFlight = new Set<Promise<void>>();

  async function runJob(def: JobDefinition<unknown>, handler: JobHandler<unknown>, job: { id: number; payload: string; attempts: number; max_attempts: number }) {
    const name = wireName(def);
    // Renew the claim while the handler runs, so a slow batch is not taken by a second consumer.
    const heartbeat = setInterval(() => {
      void store.extend(job.id, consumerId, clock.now() + visibilityMs).catch(() => {});
    }, Math.max(50, Math.floor(visibilityMs / 3)));
    try {
      const payload = parsePayload(def, JSON.parse(job.payload) as unknown);
      await handler(payload, { jobId: String(job.id), attempt: job.attempts });
      await store.complete(job.id, consumerId);
    } catch (e) {
      const permanent = e instanceof InvalidPayloadError || job.attempts >= job.max_attempts;
      const retryAt = permanent ? null : clock.now() + backoffDelay(job.attempts, def.retry.backoff, random);
      opts.onError?.(e, { name, id: job.id });
      await store.fail(job.id, consumerId, errorText(e), retryAt).catch(() => {});
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Runs claimed jobs on the consumer, counted as running from now; each starts once this turn's code has run. */
  function start(c: Consumer, entry: { def: JobDefinition<unknown>; handler: JobHandler<unknown> }, jobs: ClaimedJob[], reserved = false) {
    for (const job of jobs) {
      if (!reserved) c.running++;
      const p = Promise.resolve().then(() => runJob(entry.def, entry.handler, job)).finally(() => {
        c.running--;
        inFlight.delete(p);
        if (c.backlog) c.wake();
      });
      inFlight.add(p);
    }
  }

  async function claimAndRun(c: Consumer, limit: number): Promise<number> {
    const entry = handlers.get(c.name);
    if (!entry || limit <= 0) return 0;
    // Cleared before the claim: a local enqueue while it runs sets it again for jobs the claim did not see.
    c.backlog = false;
    const jobs = await store.claim(c.name, consumerId, limit, clock.now(), visibilityMs);
    if (jobs.length >= limit) c.backlog = true;
    start(c, entry, jobs);
    return jobs.length;
  }

  function startConsumer(name: string, concurrency: number): Consumer {
    let wakeUp: (() => void) | null = null;
    const c: Consumer = {
      name,
      running: 0,
      concurrency,
      stopped: false,
      backlog: true,
      wake: () => { wakeUp?.(); },
      loop: Promise.resolve(),
    };
    c.loop = (async () => {
      while (!c.stopped) {
        let claimed = 0;
        try {
          claimed = await claimAndRun(c, c.concurrency - c.running);
        } catch (e) {
          opts.onError?.(e, { name, id: -1 });
        }
        if (claimed > 0 && c.running < c.concurrency) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          wakeUp = () => { clearTimeout(t); resolve(); };
        });
        wakeUp = null;
      }
    })();
    return c;
  }

  return {
    kind: 'embedded',
    async enqueue<P>(def: JobDefinition<P>, items: EnqueueItem<P>[]) {
      if (items.length === 0) return;
      const now = clock.now();
      const name = wireName(def);
      let rows = items.map((i) => ({ name, payload: JSON.stringify(i.payload), key: i.key ?? null, runAt: now + (i.delayMs ?? 0), maxAttempts: def.retry.attempts }));
      // Jobs ready now, up to what a consumer of this process has free, are written already claimed by
      // it and run at once; the rest wait in the table for whichever consumer claims them.
      const local = consumers.find((c) => c.name === name && !c.stopped);
      const entry = handlers.get(name);
      let handed = 0;
      if (local && entry) {
        const free = local.concurrency - local.running;
        const ready = rows.filter((r) => r.runAt <= now).slice(0, Math.max(0, free));
        if (ready.length) {
          // Their places are taken before the write, so the consumer's own loop does not fill them meanwhile.
          local.running += ready.length;
          let jobs: ClaimedJob[] = [];
          try {
            jobs = await store.insertClaimed(ready, consumerId, now + visibilityMs, now);
          } finally {
            local.running -= ready.length - jobs.length;
          }
          start(local, entry, jobs, true);
          handed = jobs.length;
          const taken = new Set(ready);
          rows = rows.filter((r) => !taken.has(r));
        }
      }
      if (rows.length) await store.insert(rows, now);
      if (handed < items.length) {
        for (const c of consumers) {
          if (c.name !== name) continue;
          c.backlog = true;
          c.wake();
        }
      }
    },
    consume<P>(def: JobDefinition<P>, handler: JobHandler<P>, o: ConsumeOptions = {}) {
      const name = wireName(def);
      handlers.set(name, { def: def as JobDefinition<unknown>, handler: handler as JobHandler<unknown> });
      if (opts.autoStart !== false) consumers.push(startConsumer(name, o.concurrency ?? 8));
    },
    async drain(maxRounds = 1000) {
      let total = 0;
      for (let round = 0; round < maxRounds; round++) {
        let claimed = 0;
        for (const name of handlers.keys()) {
          const c: Consumer = { name, running: 0, concurrency: 1000, stopped: false, backlog: true, wake: () => {}, loop: Promise.resolve() };
          claimed += await claimAndRun(c, 1000);
        }
        await Promise.all([...inFlight]);
        total += claimed;
        if (claimed === 0) break;
      }
      return total;
    },
    async deadLetters(def, limit = 100) {
      const rows = await store.deadLetters(wireName(def), limit);
      return rows.map((r) => ({ jobId: String(r.id), payload: JSON.parse(r.payload) as unknown, attempts: Number(r.attempts), error: r.last_error }));
    },
    counts: (def) => store.counts(wireName(def)),
    async stop() {
      for (const c of consumers) {
        c.stopped = true;
        c.wake();
      }
      await Promise.all(consumers.map((c) => c.loop));
      await Promise.all([...inFlight]);
      consumers.length = 0;
    },
    async close() {
      await this.stop();
    },
  };
}
