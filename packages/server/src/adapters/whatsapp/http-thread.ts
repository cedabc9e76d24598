import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** One request for the thread: JSON bodies only (multipart uploads stay on the calling thread). */
export interface ThreadRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
  /** The request must leave by this time (epoch ms), or not at all (answered `notSent`). */
  leaveBy?: number;
}

/** What came back: an HTTP answer, or the transport error (its code, name and message, as undici gave them). */
export type ThreadAnswer =
  | { status: number; text: string }
  | { error: { code?: string; name: string; message: string } }
  /** It waited for a connection past its `leaveBy`: nothing was written. */
  | { notSent: true };

/**
 * The thread's body (CommonJS, evaluated: it needs no TypeScript loader). It owns one undici Pool per
 * origin, keep-alive as graph-http's own, and keeps at most `connections` requests in flight. Requests
 * and answers travel in batches: everything asked in one turn of the caller's event loop is one
 * message, everything answered in one turn of this thread's is one message back.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Pool } = require(workerData.undici);
const pools = new Map();
const poolOf = (origin) => {
  let p = pools.get(origin);
  if (!p) { p = new Pool(origin, { connections: workerData.connections, pipelining: 1, keepAliveTimeout: 30000, keepAliveMaxTimeout: 600000 }); pools.set(origin, p); }
  return p;
};
let out = [];
let flushing = false;
const answer = (id, a) => {
  out.push([id, a]);
  if (!flushing) { flushing = true; setImmediate(() => { flushing = false; const b = out; out = []; parentPort.postMessage(b); }); }
};
// At most workerData.connections requests in flight; the rest wait here in order, so that an answer
// starts the next request at once, and so that a request that waited too long is not sent at all.
let inFlight = 0;
const waiting = [];
const pump = () => {
  while (inFlight < workerData.connections && waiting.length) {
    const [id, r] = waiting.shift();
    if (r.leaveBy !== undefined && Date.now() > r.leaveBy) { answer(id, { notSent: true }); continue; }
    inFlight++;
    poolOf(r.origin).request({ method: r.method, path: r.path, headers: r.headers, body: r.body, headersTimeout: workerData.timeoutMs, bodyTimeout: workerData.timeoutMs })
      .then((res) => res.body.text().then((text) => answer(id, { status: res.statusCode, text })))
      .catch((e) => answer(id, { error: { code: e && e.code, name: (e && e.name) || 'Error', message: String((e && e.message) || e) } }))
      .finally(() => { inFlight--; pump(); });
  }
};
parentPort.on('message', (batch) => {
  if (batch === 'close') { Promise.all([...pools.values()].map((p) => p.close().catch(() => p.destroy()))).then(() => parentPort.close()); return; }
  for (const item of batch) waiting.push(item);
  pump();
});
`;

/**
 * HTTP requests on a thread of their own. The engine sends every message through it: building the
 * request, writing it to the socket and reading the answer cost about as much CPU as all the database
 * work of a send (bench/RESULTS.md), and on the event loop that is where a broadcast spent its time.
 * Here it runs on the other core. If the thread cannot start or dies, its requests in flight come back
 * as transport errors (their outcome is unknown: the reconciler decides, as for any dropped
 * connection) and `alive` turns false, so the caller goes back to its own pool.
 */
export function startHttpThread(opts: { connections: number; timeoutMs: number }) {
  let worker: Worker | undefined;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { undici: createRequire(import.meta.url).resolve('undici'), connections: opts.connections, timeoutMs: opts.timeoutMs },
    });
  } catch {
    worker = undefined;
  }
  const waiting = new Map<number, (a: ThreadAnswer) => void>();
  let nextId = 0;
  let queued: [number, ThreadRequest][] = [];
  let scheduled = false;
  let alive = worker !== undefined;
  let closing = false;

  const dieAll = (message: string) => {
    alive = false;
    for (const resolve of waiting.values()) resolve({ error: { code: 'UND_ERR_SOCKET', name: 'ThreadError', message } });
    waiting.clear();
  };
  if (worker) {
    worker.unref();
    worker.on('message', (batch: [number, ThreadAnswer][]) => {
      for (const [id, a] of batch) {
        const resolve = waiting.get(id);
        waiting.delete(id);
        resolve?.(a);
      }
      if (!waiting.size) worker!.unref();
    });
    worker.on('error', (e) => dieAll(`the HTTP thread failed: ${e.message}`));
    worker.on('exit', () => {
      if (!closing) dieAll('the HTTP thread ended');
    });
  }

  const flush = () => {
    scheduled = false;
    const batch = queued;
    queued = [];
    worker!.postMessage(batch);
  };

  return {
    get alive() {
      return alive;
    },
    /** The thread, for tests that end it abruptly. */
    get worker() {
      return worker;
    },
    request(r: ThreadRequest): Promise<ThreadAnswer> {
      if (!alive || !worker) return Promise.resolve({ error: { code: 'UND_ERR_SOCKET', name: 'ThreadError', message: 'the HTTP thread is not running' } });
      const id = nextId++;
      const p = new Promise<ThreadAnswer>((resolve) => waiting.set(id, resolve));
      worker.ref();
      queued.push([id, r]);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return p;
    },
    async close(): Promise<void> {
      if (!worker || closing) return;
      closing = true;
      const w = worker;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage('close');
      const t = setTimeout(() => void w.terminate(), 5_000);
      await exited;
      clearTimeout(t);
      dieAll('the HTTP thread was closed');
    },
  };
}
export type HttpThread = ReturnType<typeof startHttpThread>;
