import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the checkpointer copies the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 200;
/** SQLite's own default: what the writing connection falls back to when the checkpointer is gone. */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * The worker's body (CommonJS, evaluated; no TypeScript so it needs no loader). It opens the same file
 * on a connection of its own and runs PASSIVE checkpoints, which never block the writer or readers:
 * they copy what no reader still needs and leave the rest for the next turn. It answers 'ready' once
 * its connection is open, and ends when told to or when its parent goes.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
db.pragma('cache_size = -2048');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { if (e && e.code !== 'SQLITE_BUSY' && e.code !== 'SQLITE_LOCKED') throw e; }
}, workerData.intervalMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); } });
parentPort.postMessage('ready');
`;

/**
 * Moves WAL checkpoints off the thread that writes. With SQLite's automatic checkpoint, the commit that
 * takes the WAL past 1,000 pages also copies them into the database file and fsyncs it, on the event
 * loop: in a broadcast, whose claims and acceptances commit hundreds of small transactions a second,
 * that was about a third of the time spent in SQLite (bench/RESULTS.md). Here a worker thread does it
 * every CHECKPOINT_INTERVAL_MS, on the other core, and the writing connection turns its automatic
 * checkpoint off only once the worker runs. If the worker cannot start or dies, the automatic
 * checkpoint is turned back on: the WAL never grows without a checkpointer. Several processes sharing a
 * file may each run one; SQLite lets one checkpoint at a time and the others find it busy.
 */
export interface Checkpointer {
  /** True once the worker runs and the writer's automatic checkpoint is off; false if it could not start. */
  readonly ready: Promise<boolean>;
  /** The worker, for tests that end it abruptly. */
  readonly worker: Worker | undefined;
  close(): Promise<void>;
}

export function startCheckpointer(sqlite: SQLite.Database, file: string): Checkpointer {
  let worker: Worker | undefined;
  let stopping = false;
  const fallback = () => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs: CHECKPOINT_INTERVAL_MS },
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 16 },
    });
  } catch {
    return { ready: Promise.resolve(false), worker: undefined, close: async () => undefined };
  }
  worker.unref();
  let settle: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => { settle = resolve; });
  worker.on('message', (m) => {
    if (m !== 'ready' || stopping || !sqlite.open) return;
    sqlite.pragma('wal_autocheckpoint = 0');
    settle(true);
  });
  worker.on('error', () => {
    fallback();
    settle(false);
  });
  worker.on('exit', () => {
    if (!stopping) fallback();
    settle(false);
  });
  return {
    ready,
    worker,
    async close() {
      if (!worker || stopping) return;
      stopping = true;
      const w = worker;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage('stop');
      // A worker busy in a long checkpoint is ended; the checkpoint is SQLite's, so nothing is half-done.
      const t = setTimeout(() => void w.terminate(), 2_000);
      await exited;
      clearTimeout(t);
      fallback();
    },
  };
}
