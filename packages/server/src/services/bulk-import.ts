import type { Readable } from 'node:stream';
import type { ProfileUpsert } from '@wareach/core';
import type { CustomerDataService } from './customer-data';
import { pieceProfiles, type ImportKind, type ParsedPiece } from './import-parse';
import { parsePieces, type ParseOptions } from './import-parser';
import type { Clock } from './ports';

export interface ImportSummary {
  lines: number;
  accepted: number;
  duplicates: number;
  refused: number;
  /** The first refused lines with their reason (at most `MAX_REPORTED`; `refused` counts them all). */
  errors: { line: number; path: string; message: string }[];
}

const MAX_REPORTED = 1000;

/**
 * How much one write transaction of an import holds. On SQLite a commit writes every index page the
 * transaction touched, and events land at random places of their indexes: 5,000 events a transaction
 * ran at ~45k rows/s, 50,000 at ~115k rows/s (better-sqlite3 alone, the events table with its indexes).
 * But a transaction keeps the database's other writers waiting — in this process (webhooks, the
 * dispatcher) until it commits, in others up to their busy timeout — so it also ends after `ms`
 * (measured from its start, the wait for the next parsed lines included). The ingest bench's floor
 * commits as many rows a transaction.
 */
export const IMPORT_TRANSACTION: Record<ImportKind, { rows: number; ms: number }> = {
  events: { rows: 50_000, ms: 1000 },
  profiles: { rows: 10_000, ms: 1000 },
};
/** A transaction's bounds, and `batch`: the items of one store call (the store's `sessionBatch` unless given; whole pieces). */
export interface ImportLimits {
  rows: number;
  ms: number;
  batch: number;
}

/**
 * NDJSON bulk import, streamed: the upload is parsed in pieces (on a worker thread: see import-parser.ts)
 * and written in batches, so memory stays flat for millions of lines. Each line stands alone — a bad line
 * is refused with its number and reason and the others are written (unlike the JSON batch endpoints,
 * which are all-or-nothing). Batches are written in transactions of up to IMPORT_TRANSACTION, each all
 * or nothing; a failed write fails the import after what was committed before it (events are
 * idempotent on messageId, so the upload can be sent again).
 *
 * Where the store writes several sessions side by side (`sessionLanes`: two on PostgreSQL, where one
 * session's backend is the bound), each transaction is gathered whole and up to that many are written at
 * once; a session the store aborts for a transient reason (a deadlock between two of them) is written
 * again from the gathered batches. Two transactions that write one profile or identity are not written
 * side by side, and one that refused a line (a number another profile holds) while an earlier one was
 * in flight is written again after it: profile lines keep the outcome of writing them in order. A failed
 * write fails the import after what was committed before it and beside it, and of two event lines with
 * one messageId in transactions written side by side, the one committed first is kept (within a
 * transaction, still the first line).
 */
export function createBulkImport(deps: { data: CustomerDataService; clock: Clock; parse?: ParseOptions; limits?: Partial<Record<ImportKind, ImportLimits>> }) {
  type Taken = { piece: ParsedPiece; base: number };

  async function run<W>(
    kind: ImportKind,
    stream: Readable,
    session: <T>(body: (write: W) => Promise<T>, opts?: { replayable?: boolean }) => Promise<T>,
    writeBatch: (write: W, pieces: Taken[], s: ImportSummary) => Promise<void>,
    keysOf?: (pieces: Taken[]) => string[],
  ): Promise<ImportSummary> {
    const summary: ImportSummary = { lines: 0, accepted: 0, duplicates: 0, refused: 0, errors: [] };
    const limit = deps.limits?.[kind] ?? { ...IMPORT_TRANSACTION[kind], batch: deps.data.sessionBatch[kind] };
    const lanes = deps.data.sessionLanes[kind];
    // The parse runs ahead by about a batch (pieces are 64 KB, a few hundred lines), so it goes on while a batch is written.
    const pieces = parsePieces(kind, stream, () => deps.clock.now(), { ahead: Math.ceil(limit.batch / 250), ...deps.parse });
    const size = (t: Taken) => (t.piece.events?.count ?? t.piece.profiles?.count ?? 0);
    // The pieces, in order, with their first line's number; their parse refusals are counted as they come.
    const take = async (): Promise<Taken | undefined> => {
      const r = await pieces.next();
      if (r.done) return undefined;
      const base = summary.lines;
      summary.lines += r.value.lines;
      for (const [line, path, message] of r.value.refused) refuse(summary, base + line, path, message);
      return { piece: r.value, base };
    };
    try {
      let next = await take();
      const collect = async () => {
        const batch: Taken[] = [];
        let n = 0;
        while (next && n < limit.batch) {
          if (size(next)) batch.push(next);
          n += size(next);
          next = await take();
        }
        return { batch, n };
      };
      // One transaction's batches, counted into the summary once it has committed.
      const commit = (counted: ImportSummary) => {
        summary.accepted += counted.accepted;
        summary.duplicates += counted.duplicates;
        for (const e of counted.errors) refuse(summary, e.line, e.path, e.message);
        summary.refused += counted.refused - counted.errors.length;
      };
      const newCount = (): ImportSummary => ({ lines: 0, accepted: 0, duplicates: 0, refused: 0, errors: [] });
      if (lanes === 1) {
        for (;;) {
          // A transaction's first batch is gathered before it begins: the write lock is not held while parsing.
          const first = await collect();
          if (first.batch.length === 0) break;
          const counted = newCount();
          await session(async (write) => {
            const started = deps.clock.now();
            let b = first;
            let rows = 0;
            for (;;) {
              await writeBatch(write, b.batch, counted);
              rows += b.n;
              if (!next || rows >= limit.rows || deps.clock.now() - started >= limit.ms) break;
              b = await collect();
              if (!b.batch.length) break;
            }
          });
          commit(counted);
        }
      } else {
        // Side by side: a transaction is gathered whole (so that it can be written again when the store
        // says so), then written while the next is gathered, at most `lanes` at a time. A failed one fails
        // the import once the others in flight have ended.
        const inFlight = new Map<Promise<void>, Set<string> | undefined>();
        const failures: unknown[] = [];
        try {
          // Each holds its share of a transaction's rows, so that what is held at once stays about what
          // one transaction held (PostgreSQL, 1M events: peak RSS 366 MB against 388–426 with whole ones,
          // and no slower).
          const share = Math.ceil(limit.rows / lanes);
          for (;;) {
            while (inFlight.size >= lanes) await Promise.race(inFlight.keys());
            if (failures.length) break;
            const started = deps.clock.now();
            const batches: Taken[][] = [];
            let rows = 0;
            for (;;) {
              const b = await collect();
              if (!b.batch.length) break;
              batches.push(b.batch);
              rows += b.n;
              if (!next || rows >= share || deps.clock.now() - started >= limit.ms) break;
            }
            if (!batches.length) break;
            // A transaction that writes what one in flight writes (a profile, an identity) waits for it:
            // of two lines of one profile, the later one is written later.
            const keys = keysOf ? new Set(batches.flatMap(keysOf)) : undefined;
            for (let before = overlapping(inFlight, keys); before; before = overlapping(inFlight, keys)) await before;
            if (failures.length) break;
            // A refusal can depend on what an earlier transaction still in flight writes (a number that
            // its profile gives up): a transaction that refused a line while an earlier one was in flight
            // is rolled back and written again once the earlier ones have ended, as if written in order.
            const earlier = [...inFlight.keys()];
            const written: Promise<void> = (async () => {
              let counted = newCount();
              const write = (beside: boolean) =>
                session(async (w) => {
                  counted = newCount(); // a transaction written again counts afresh
                  for (const b of batches) await writeBatch(w, b, counted);
                  if (beside && counted.refused > 0) throw new RefusedBeside();
                }, { replayable: true });
              try {
                await write(earlier.length > 0);
              } catch (e) {
                if (!(e instanceof RefusedBeside)) throw e;
                await Promise.all(earlier);
                await write(false);
              }
              commit(counted);
            })()
              .catch((error: unknown) => void failures.push(error))
              .finally(() => inFlight.delete(written));
            inFlight.set(written, keys);
          }
        } finally {
          await Promise.all(inFlight.keys()); // each settles (its error is kept in `failures`)
        }
        if (failures.length) throw failures[0];
      }
    } finally {
      await pieces.return(undefined);
    }
    // Refusals at write time come after the parse refusals of later pieces: report in line order.
    summary.errors.sort((a, b) => a.line - b.line);
    return summary;
  }

  return {
    importEvents(stream: Readable) {
      return run('events', stream, deps.data.eventSession, async (write, pieces, s) => {
        const r = await write(pieces.map((p) => p.piece.events!));
        s.accepted += r.accepted;
        s.duplicates += r.duplicates;
      });
    },
    importProfiles(stream: Readable) {
      return run('profiles', stream, deps.data.profileSession, async (write, pieces, s) => {
        let pending: { line: number; value: ProfileUpsert }[] = pieces.flatMap(({ piece, base }) => pieceProfiles(piece.profiles!).map((value, k) => ({ line: base + piece.profiles!.lines[k]!, value })));
        // A conflicting item refuses its batch, which writes nothing: drop the items named and write the rest.
        while (pending.length) {
          const r = await write(pending.map((i) => i.value));
          if (r.ok) {
            s.accepted += r.ids.length;
            return;
          }
          const bad = new Set<number>();
          for (const d of r.errors) {
            const [idx, ...rest] = d.path.split('.');
            const item = pending[Number(idx)];
            if (item && !bad.has(Number(idx))) {
              bad.add(Number(idx));
              refuse(s, item.line, rest.join('.'), d.message);
            }
          }
          if (bad.size === 0) throw new Error(`profile batch refused without naming an item: ${JSON.stringify(r.errors.slice(0, 3))}`);
          pending = pending.filter((_, i) => !bad.has(i));
        }
      }, (pieces) => pieces.flatMap((p) => p.piece.profiles!.keys));
    },
  };
}

/** Thrown inside a transaction to roll it back: it refused a line while an earlier one was in flight. */
class RefusedBeside extends Error {}

/** A transaction in flight that writes one of `keys`, if any. */
function overlapping(inFlight: ReadonlyMap<Promise<void>, Set<string> | undefined>, keys: Set<string> | undefined): Promise<void> | undefined {
  if (!keys) return undefined;
  for (const [p, theirs] of inFlight) {
    if (!theirs) continue;
    for (const k of theirs) if (keys.has(k)) return p;
  }
  return undefined;
}

function refuse(s: ImportSummary, line: number, path: string, message: string) {
  s.refused++;
  if (s.errors.length < MAX_REPORTED) s.errors.push({ line, path, message });
}
export type BulkImport = ReturnType<typeof createBulkImport>;
