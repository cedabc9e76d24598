import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { err, normalisePhone, ok, type Result } from '@wareach/core';
import type { PhoneNormaliser } from './csv-audience';

type Reply = { id: number; out: [boolean, string][] };

/**
 * Core's `normalisePhone` on worker threads. Validating a number against libphonenumber's full metadata
 * costs ~13 µs, i.e. 13 s of CPU per million lines of a CSV upload — more than parsing and writing
 * them together. On a worker it runs beside the parsing and the database writes. Batches go to the
 * workers in turn; each call resolves with its own batch's results. When a worker cannot start (or
 * there is only one core), numbers are normalised inline: same function, same answers.
 */
export function createPhoneNormaliserPool(size = Math.min(2, Math.max(0, availableParallelism() - 1))) {
  const workers: Worker[] = [];
  const waiting = new Map<number, { resolve: (r: Result<string, string>[]) => void; reject: (e: Error) => void; worker: Worker }>();
  let nextId = 0;
  let turn = 0;
  let broken = size === 0;

  function spawn(): Worker {
    // Under tsx (no build step) the worker needs tsx's loader to import TypeScript.
    const url = new URL(`./phone-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
    const w = url.pathname.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true })
      : new Worker(url);
    w.unref();
    w.on('message', (m: Reply) => {
      const p = waiting.get(m.id);
      if (!p) return;
      waiting.delete(m.id);
      if (![...waiting.values()].some((x) => x.worker === w)) w.unref();
      p.resolve(m.out.map(([good, v]) => (good ? ok(v) : err(v))));
    });
    w.on('error', (e) => {
      broken = true;
      for (const [id, p] of waiting) if (p.worker === w) { waiting.delete(id); p.reject(e); }
    });
    return w;
  }

  const inline: PhoneNormaliser = async (raw) => raw.map((r) => normalisePhone(r));

  const normalise: PhoneNormaliser = async (raw) => {
    if (broken) return inline(raw);
    if (workers.length < size) workers.push(spawn());
    const w = workers[turn++ % workers.length]!;
    const id = nextId++;
    try {
      return await new Promise<Result<string, string>[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject, worker: w });
        // Keep the process alive while a batch is out, not while the pool is idle.
        w.ref();
        w.postMessage({ id, raw });
      });
    } catch {
      return inline(raw);
    }
  };

  return {
    normalise,
    async close(): Promise<void> {
      broken = true;
      await Promise.all(workers.splice(0).map((w) => w.terminate()));
    },
  };
}
export type PhoneNormaliserPool = ReturnType<typeof createPhoneNormaliserPool>;
