import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { normalisePhones, type NormalisedPhones } from './phone-batch';
import type { PhoneNormaliser } from './csv-audience';

/**
 * A worker's heap. What it keeps is small (libphonenumber's metadata, a batch), but V8 lets a new
 * isolate's young generation grow as the main thread's, and a million numbers grew it ~15 MB more than
 * this bound, for no measurable time saved. The old generation's bound is far above what the worker
 * needs: reaching it ends the worker, and its batches are then normalised on the main thread.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 64 };
/** Numbers the main thread normalises between two turns of its event loop (a few ms). */
const SLICE = 250;
/** Batches sent to a worker at once: the next one waits in its port, so it never idles while the main thread is busy. */
const PER_WORKER = 2;

interface Job {
  raw: readonly string[];
  resolve: (r: NormalisedPhones) => void;
}

/**
 * Core's `normalisePhone` on worker threads. Validating a number against libphonenumber's full metadata
 * costs ~13 µs, i.e. 13 s of CPU per million lines of a CSV upload — more than parsing and writing
 * them together. On a worker it runs beside the parsing and the database writes. Each worker is sent
 * two batches at most; the others wait in order. The main thread does not take a share while a worker
 * lives, though it has spare time: libphonenumber leaves KBs of garbage per number, and on the main
 * thread that grew the server's heap by ~35 MB during a million-line upload. Without workers (one
 * core, or none could start, or one died) the main thread normalises the batches, a slice at a time
 * between turns of its event loop so that other requests wait no more than a slice: same function,
 * same answers.
 */
export function createPhoneNormaliserPool(size = Math.min(2, Math.max(0, availableParallelism() - 1))) {
  const workers: { worker: Worker; jobs: Job[] }[] = [];
  const queue: Job[] = [];
  let broken = size === 0;
  let helping = false;
  let current: { job: Job; done: number; parts: NormalisedPhones[] } | undefined;

  function spawn() {
    const ts = import.meta.url.endsWith('.ts');
    const file = fileURLToPath(new URL(`./phone-worker${ts ? '.ts' : '.js'}`, import.meta.url));
    // Under tsx (no build step) the worker needs tsx to load TypeScript. Its require hook runs in the
    // worker's own thread; its import hooks would start one more thread with an isolate of its own.
    const worker = ts
      ? new Worker(`require(${JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(file)});`, { eval: true, resourceLimits: RESOURCE_LIMITS })
      : new Worker(file, { resourceLimits: RESOURCE_LIMITS });
    const slot: (typeof workers)[number] = { worker, jobs: [] };
    worker.on('message', (out: NormalisedPhones) => {
      const job = slot.jobs.shift();
      // Keep the process alive while a batch is out, not while the pool is idle.
      if (!slot.jobs.length) worker.unref();
      job?.resolve(out);
      pump();
    });
    const fail = () => {
      broken = true;
      queue.unshift(...slot.jobs.splice(0));
      pump();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    return slot;
  }

  function pump() {
    if (!broken) {
      if (workers.length < size && queue.length) workers.push(spawn());
      for (const slot of workers) {
        while (slot.jobs.length < PER_WORKER && queue.length) {
          const job = queue.shift()!;
          slot.jobs.push(job);
          slot.worker.ref();
          slot.worker.postMessage(job.raw);
        }
      }
    }
    if (broken && (queue.length || current) && !helping) {
      helping = true;
      setImmediate(help);
    }
  }

  function help() {
    helping = false;
    if (!current) {
      const job = queue.shift();
      if (!job) return;
      current = { job, done: 0, parts: [] };
    }
    const c = current;
    c.parts.push(normalisePhones(c.job.raw.slice(c.done, c.done + SLICE)));
    c.done += SLICE;
    if (c.done >= c.job.raw.length) {
      current = undefined;
      const refused = c.parts.flatMap((p, k) => p.refused.map(([i, raw, why]): NormalisedPhones['refused'][number] => [i + k * SLICE, raw, why]));
      c.job.resolve({ numbers: c.parts.map((p) => p.numbers).join('\n'), refused });
    }
    pump();
  }

  const normalise: PhoneNormaliser = (raw) =>
    new Promise<NormalisedPhones>((resolve) => {
      queue.push({ raw, resolve });
      pump();
    });

  return {
    normalise,
    async close(): Promise<void> {
      broken = true;
      await Promise.all(workers.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
export type PhoneNormaliserPool = ReturnType<typeof createPhoneNormaliserPool>;
