import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parsePiece, type ImportKind, type ParsedPiece } from './import-parse';

/** Bytes of upload in a piece (cut at the last line end within): a few hundred lines. */
const PIECE_BYTES = 64 * 1024;
/**
 * Pieces sent ahead to the worker: it parses them while the main thread writes, and a write of one
 * sub-batch (a few thousand lines) never leaves it without work. Memory: this many pieces and their
 * parsed items.
 */
const AHEAD = 12;
/**
 * The worker's heap. It keeps nothing between pieces; V8 would otherwise size a new isolate's young
 * generation as the main thread's. Reaching the old-generation bound ends the worker, and the main
 * thread then parses what it had not answered.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 96 };

export interface ParseOptions {
  /** False: parse on the calling thread only. */
  worker?: boolean;
  /** Starts the worker (tests start one that fails). */
  spawn?: () => Worker;
  /** Pieces to parse ahead of the caller, at least AHEAD: a caller that writes in large batches wants a batch's worth. */
  ahead?: number;
}

export function spawnParseWorker(): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(`./import-parse-worker${ts ? '.ts' : '.js'}`, import.meta.url));
  // Under tsx (no build step) the worker loads TypeScript through tsx's require hook, as the phone pool's does.
  return ts
    ? new Worker(`require(${JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(file)});`, { eval: true, resourceLimits: RESOURCE_LIMITS })
    : new Worker(file, { resourceLimits: RESOURCE_LIMITS });
}

interface Job {
  bytes: Uint8Array;
  now: number;
  done: Promise<ParsedPiece>;
  resolve: (p: ParsedPiece) => void;
  settled: boolean;
}

/**
 * The parsed pieces of an NDJSON upload, in order, with backpressure: the stream is read only as far as
 * AHEAD pieces beyond what the caller has taken. Parsing (JSON, validation, phone numbers) runs on a
 * worker thread of its own, beside the database writes of the main thread — on this project's 2 cores
 * that is most of an event import's CPU off the writing thread. The first piece is parsed here, so an
 * upload of a few lines never starts a worker, and so are the pieces read before the worker says it is
 * ready. If the worker cannot start or dies, this thread parses the pieces it had not answered, with the
 * same function: the import goes on, slower.
 */
export async function* parsePieces(kind: ImportKind, stream: Readable, now: () => number, opts: ParseOptions = {}): AsyncGenerator<ParsedPiece> {
  const pending: Job[] = [];
  let worker: Worker | undefined;
  let broken = opts.worker === false;
  let sent = 0;
  let ready = false;
  const sentJobs: Job[] = []; // sent to the worker, not answered yet, in order
  const ahead = Math.max(AHEAD, opts.ahead ?? 0);

  const parseHere = (job: Job) => {
    if (job.settled) return;
    job.settled = true;
    job.resolve(parsePiece(kind, Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength).toString('utf8'), job.now));
  };
  const fail = () => {
    if (broken) return;
    broken = true;
    for (const job of sentJobs.splice(0)) parseHere(job);
  };
  const startWorker = (): Worker | undefined => {
    try {
      const w = (opts.spawn ?? spawnParseWorker)();
      w.on('message', (piece: ParsedPiece | 'ready') => {
        if (piece === 'ready') {
          ready = true;
          return;
        }
        const job = sentJobs.shift();
        if (job && !job.settled) {
          job.settled = true;
          job.resolve(piece);
        }
      });
      w.on('error', fail);
      w.on('exit', fail);
      return w;
    } catch {
      broken = true;
      return undefined;
    }
  };
  const submit = (bytes: Uint8Array) => {
    let resolve!: (p: ParsedPiece) => void;
    const done = new Promise<ParsedPiece>((r) => (resolve = r));
    const job: Job = { bytes, now: now(), done, resolve, settled: false };
    pending.push(job);
    if (sent++ > 0 && !broken) worker ??= startWorker();
    // Until the worker has loaded (~0.5 s under tsx), this thread parses rather than waits.
    if (worker && ready && !broken) {
      sentJobs.push(job);
      // A copy of its own, transferred: a stream's chunks may share their memory with others.
      const copy = new Uint8Array(bytes);
      worker.postMessage({ kind, bytes: copy, now: job.now }, [copy.buffer]);
    } else parseHere(job);
  };

  // Reads the stream into pieces of whole lines, in the background, while fewer than `ahead` wait.
  const source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let ended = false;
  let readError: unknown;
  let reading = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const read = async () => {
    if (reading) return;
    reading = true;
    try {
      while (!ended && pending.length < ahead) {
        const next = await source.next();
        if (next.done) {
          ended = true;
          if (partsBytes) submit(Buffer.concat(parts));
          parts = [];
          break;
        }
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
        parts.push(chunk);
        partsBytes += chunk.length;
        if (partsBytes < PIECE_BYTES) continue;
        // Pieces of about PIECE_BYTES, each cut after a '\n' (never inside a multi-byte UTF-8 character).
        const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        let from = 0;
        while (all.length - from >= PIECE_BYTES) {
          let cut = all.lastIndexOf(10, from + PIECE_BYTES - 1);
          if (cut < from) cut = all.indexOf(10, from + PIECE_BYTES); // a line longer than a piece
          if (cut < 0) break; // … that has not ended yet: keep reading
          submit(all.subarray(from, cut + 1));
          from = cut + 1;
        }
        const rest = from === 0 ? all : Buffer.from(all.subarray(from));
        parts = rest.length ? [rest] : [];
        partsBytes = rest.length;
        signal();
      }
    } catch (e) {
      readError = e;
    } finally {
      reading = false;
      signal();
    }
  };

  try {
    for (;;) {
      void read();
      while (!pending.length && !ended && readError === undefined) {
        await new Promise<void>((r) => (wake = r));
        void read();
      }
      if (readError !== undefined) throw readError;
      const job = pending.shift();
      if (!job) return;
      void read();
      yield await job.done;
    }
  } finally {
    broken = true; // an ending worker is no failure to recover from
    if (worker) await worker.terminate();
    // Stopped early (a write failed): let go of the upload, as a for-await loop over it would.
    if (!ended) await source.return?.().catch(() => undefined);
  }
}
