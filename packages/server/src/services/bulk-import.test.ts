import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EVENT_FIELD, fieldValues, type EventBatch, type ProfileUpsert } from '@wareach/core';
import type { UpsertOutcome } from '../adapters/storage/profile-store';
import { Worker } from 'node:worker_threads';
import { createBulkImport } from './bulk-import';
import { spawnParseWorker } from './import-parser';
import type { CustomerDataService } from './customer-data';
import { ManualClock } from './ports';

const NOW = Date.parse('2026-11-25T00:00:00Z');
const ndjson = (lines: unknown[]) => Readable.from([lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')]);
const events = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ userId: 'u1', name: 'open', messageId: `m${from + i}` }));

/**
 * A data service whose sessions record their batches: `sessions` holds, per committed transaction, the
 * messageIds (or profile ids) of each batch; a failed session's batches are dropped, as a rollback does.
 */
function fakeData(opts: { conflict?: (p: ProfileUpsert) => boolean; failAtBatch?: number; clock?: ManualClock; msPerBatch?: number; lanes?: number; replayEvery?: number; slowFirst?: boolean } = {}) {
  const sessions: string[][][] = [];
  const seen = { open: 0, mostOpen: 0, replayed: 0, sessions: 0, begun: 0 };
  let batches = 0;
  async function session<W, T>(write: (open: string[][]) => W, body: (w: W) => Promise<T>, o?: { replayable?: boolean }): Promise<T> {
    seen.open++;
    seen.begun++;
    seen.mostOpen = Math.max(seen.mostOpen, seen.open);
    try {
      // A replayable session the store writes twice (as after a deadlock): the first attempt is rolled back.
      if (o?.replayable && opts.replayEvery && ++seen.sessions % opts.replayEvery === 0) {
        await body(write([]));
        seen.replayed++;
      }
      const open: string[][] = [];
      const first = seen.open === 1 && sessions.length === 0;
      const r = await body(write(open));
      // The commit's round trip: other sessions go on meanwhile (the first, when `slowFirst`, for long).
      for (let turn = 0; turn < (opts.slowFirst && first ? 200 : 1); turn++) await new Promise((r) => setImmediate(r));
      sessions.push(open);
      return r;
    } finally {
      seen.open--;
    }
  }
  const step = (open: string[][], keys: string[]) => {
    if (++batches === opts.failAtBatch) throw new Error('disk full');
    opts.clock?.advance(opts.msPerBatch ?? 0);
    open.push(keys);
  };
  const data = {
    sessionBatch: { events: 500, profiles: 250 },
    sessionLanes: { events: opts.lanes ?? 1, profiles: opts.lanes ?? 1 },
    eventSession: <T>(body: (w: (b: readonly EventBatch[]) => Promise<{ accepted: number; duplicates: number; createdProfiles: number }>) => Promise<T>, o?: { replayable?: boolean }) =>
      session((open) => async (batch: readonly EventBatch[]) => {
        const ids = batch.flatMap((p) => fieldValues(p, EVENT_FIELD.messageId).map((m) => m ?? ''));
        step(open, ids);
        return { accepted: ids.length, duplicates: 0, createdProfiles: 0 };
      }, body, o),
    profileSession: <T>(body: (w: (p: ProfileUpsert[]) => Promise<UpsertOutcome>) => Promise<T>, o?: { replayable?: boolean }) =>
      session((open) => async (items: ProfileUpsert[]): Promise<UpsertOutcome> => {
        const bad = items.flatMap((p, i) => (opts.conflict?.(p) ? [{ path: `${i}.identities.whatsapp`, message: 'already belongs to profile x' }] : []));
        if (bad.length) return { ok: false, errors: bad };
        step(open, items.map((p) => p.id ?? ''));
        return { ok: true, ids: items.map((p) => p.id!), created: items.length };
      }, body, o),
  } as unknown as CustomerDataService;
  return { data, sessions, seen };
}

describe('NDJSON bulk import', () => {
  it('refuses bad lines by number, in line order, and writes the others', async () => {
    const f = fakeData({ conflict: (p) => p.id === 'c' });
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW) });
    const lines = [{ id: 'a' }, '{nope', { id: 'b', timezone: 'Mars/Olympus' }, '', { id: 'c', identities: { whatsapp: '+8613800138000' } }, { id: 'd' }];
    const s = await bi.importProfiles(ndjson(lines));
    expect(s).toMatchObject({ lines: 6, accepted: 2, refused: 3 });
    expect(s.errors.map((e) => [e.line, e.path])).toEqual([[2, ''], [3, 'timezone'], [5, 'identities.whatsapp']]);
    expect(f.sessions).toEqual([[['a', 'd']]]);
  });

  it('writes batches in transactions bounded by rows', async () => {
    const f = fakeData();
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW), limits: { events: { rows: 5, ms: 60_000, batch: 2 } } });
    const s = await bi.importEvents(ndjson(events(12)));
    expect(s).toMatchObject({ lines: 12, accepted: 12, refused: 0 });
    // Batches of 2 (whole pieces: here one piece); transactions end once they hold 5 rows or more.
    expect(f.sessions.map((t) => t.map((b) => b.length))).toEqual([[12]]);
    const many = fakeData();
    const bi2 = createBulkImport({ data: many.data, clock: new ManualClock(NOW), limits: { events: { rows: 2_500, ms: 60_000, batch: 1_000 } } });
    // ~100 bytes a line: 30,000 lines are ~50 pieces of 64 KB, i.e. ~600 lines a piece.
    const big = await bi2.importEvents(ndjson(events(30_000)));
    expect(big).toMatchObject({ lines: 30_000, accepted: 30_000 });
    const rows = many.sessions.map((t) => t.reduce((n, b) => n + b.length, 0));
    expect(rows.reduce((a, b) => a + b, 0)).toBe(30_000);
    for (const r of rows.slice(0, -1)) expect(r).toBeGreaterThanOrEqual(2_500);
    for (const t of many.sessions) for (const b of t.slice(0, -1)) expect(b.length).toBeGreaterThanOrEqual(1_000);
    // In order, nothing twice.
    expect(many.sessions.flat(2)).toEqual(events(30_000).map((e) => e.messageId));
  });

  it('ends a transaction once it has lasted its time, the wait for lines included', async () => {
    const clock = new ManualClock(NOW);
    const f = fakeData({ clock, msPerBatch: 400 });
    const bi = createBulkImport({ data: f.data, clock, limits: { events: { rows: 1_000_000, ms: 1_000, batch: 1_000 } } });
    await bi.importEvents(ndjson(events(20_000)));
    // 400 ms a batch: the third batch starts at 800 ms < 1 s, the fourth would start at 1.2 s.
    for (const t of f.sessions.slice(0, -1)) expect(t).toHaveLength(3);
  });

  it('fails the import when a write fails; the transaction in flight is not counted', async () => {
    const f = fakeData({ failAtBatch: 3 });
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW), limits: { events: { rows: 1_500, ms: 60_000, batch: 1_000 } } });
    await expect(bi.importEvents(ndjson(events(12_000)))).rejects.toThrow('disk full');
    expect(f.sessions.length).toBeGreaterThanOrEqual(1);
    expect(f.sessions.flat(2)).toEqual(events(f.sessions.flat(2).length).map((e) => e.messageId));
  });

  it('writes transactions side by side where the store has lanes, each counted once, even when written again', async () => {
    const f = fakeData({ lanes: 2, replayEvery: 3 });
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW), limits: { events: { rows: 2_500, ms: 60_000, batch: 1_000 } } });
    const lines = [...events(15_000), '{bad', ...events(15_000, 15_000)];
    const s = await bi.importEvents(ndjson(lines));
    expect(s).toMatchObject({ lines: 30_001, accepted: 30_000, duplicates: 0, refused: 1 });
    expect(s.errors.map((e) => e.line)).toEqual([15_001]);
    expect(f.seen.mostOpen).toBe(2);
    expect(f.seen.replayed).toBeGreaterThan(0);
    // Every line in exactly one committed transaction; each transaction's lines in order.
    const ids = f.sessions.flat(2);
    expect([...ids].sort()).toEqual(events(30_000).map((e) => e.messageId).sort());
    for (const t of f.sessions) {
      const n = t.flat().map((m) => Number(m.slice(1)));
      expect(n).toEqual([...n].sort((a, b) => a - b));
    }
  });

  it('with lanes, a transaction that writes a profile or identity of one in flight waits for it', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => ({ id: `p${i}`, identities: i === 19_900 ? { whatsapp: '+8613800138000' } : {} }));
    // p5 again at the end (a later line of one profile), and the number of p19900 claimed by p10 early on.
    lines.push({ id: 'p5', identities: {} });
    lines.splice(10, 1, { id: 'p10', identities: { whatsapp: '+8613800138000' } });
    // And p7 again in the second transaction, written while the first (slow to commit) is in flight.
    lines.splice(2_500, 0, { id: 'p7', identities: {} });
    const f = fakeData({ lanes: 2, slowFirst: true });
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW), limits: { profiles: { rows: 2_000, ms: 60_000, batch: 1_000 } } });
    expect(await bi.importProfiles(ndjson(lines))).toMatchObject({ accepted: 20_002, refused: 0 });
    const at = (id: string) => f.sessions.map((t, k) => (t.flat().includes(id) ? k : -1)).filter((k) => k >= 0);
    // Committed in line order where they share a key; side by side where not.
    expect(at('p5')).toHaveLength(2);
    expect(at('p5')[0]).toBeLessThan(at('p5')[1]!);
    expect(at('p7')).toEqual([0, 1]);
    expect(at('p10')[0]).toBeLessThan(at('p19900')[0]!);
    expect(f.seen.mostOpen).toBe(2);
  });

  it('with lanes, a transaction that refused a line beside an earlier one is written again after it', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => ({ id: `p${i}`, identities: {} }));
    lines.splice(2_500, 1, { id: 'taken', identities: {} }); // in the second transaction, beside the first (slow)
    const f = fakeData({ lanes: 2, slowFirst: true, conflict: (p) => p.id === 'taken' });
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW), limits: { profiles: { rows: 2_000, ms: 60_000, batch: 1_000 } } });
    const s = await bi.importProfiles(ndjson(lines));
    expect(s).toMatchObject({ lines: 20_000, accepted: 19_999, refused: 1 });
    expect(s.errors).toEqual([{ line: 2_501, path: 'identities.whatsapp', message: 'already belongs to profile x' }]);
    // Its first attempt was rolled back: one session more than committed, and each line committed once.
    expect(f.seen.begun).toBe(f.sessions.length + 1);
    expect(f.sessions.flat(2)).toHaveLength(19_999);
  });

  it('with lanes, a failed write fails the import once the transaction beside it has ended', async () => {
    const f = fakeData({ lanes: 2, failAtBatch: 6 });
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW), limits: { events: { rows: 1_500, ms: 60_000, batch: 1_000 } } });
    await expect(bi.importEvents(ndjson(events(30_000)))).rejects.toThrow('disk full');
    expect(f.seen.open).toBe(0);
    expect(f.sessions.length).toBeGreaterThanOrEqual(2);
    expect(f.sessions.flat(2).length).toBeLessThan(30_000);
  });

  it('parses on the calling thread when no worker is wanted, with the same answers', async () => {
    const lines = [...events(9_000), '{bad', { userId: 'u2', name: '9' }, ...events(9_000, 9_000)];
    const a = fakeData();
    const b = fakeData();
    const withWorker = await createBulkImport({ data: a.data, clock: new ManualClock(NOW) }).importEvents(ndjson(lines));
    const alone = await createBulkImport({ data: b.data, clock: new ManualClock(NOW), parse: { worker: false } }).importEvents(ndjson(lines));
    expect(alone).toEqual(withWorker);
    expect(withWorker).toMatchObject({ lines: 18_002, accepted: 18_000, refused: 2 });
    expect(withWorker.errors.map((e) => e.line)).toEqual([9_001, 9_002]);
    expect(a.sessions.flat(2)).toEqual(b.sessions.flat(2));
  });

  it('parses on the worker thread once it is ready, and here again when the worker dies', async () => {
    const lines = [...events(9_000), '{bad', ...events(9_000, 9_000)].map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
    // The upload's second half comes once the worker has said it is ready (before, pieces are parsed here).
    const gated = (ready: Promise<unknown>) =>
      Readable.from((async function* () {
        yield lines.slice(0, 4_500).join('\n') + '\n';
        await ready;
        yield lines.slice(4_500).join('\n');
      })());
    let answered = 0;
    let isReady!: () => void;
    const ready = new Promise<void>((r) => (isReady = r));
    const a = fakeData();
    const s = await createBulkImport({
      data: a.data,
      clock: new ManualClock(NOW),
      parse: { spawn: () => spawnParseWorker().on('message', (m) => (m === 'ready' ? isReady() : answered++)) },
    }).importEvents(gated(ready));
    expect(answered).toBeGreaterThan(10);
    expect(s).toMatchObject({ lines: 18_001, accepted: 18_000, refused: 1 });

    // A worker that ends as soon as it is sent a piece: the pieces it held are parsed here, in order.
    const b = fakeData();
    let dyingReady!: () => void;
    const readyToDie = new Promise<void>((r) => (dyingReady = r));
    const dying = await createBulkImport({
      data: b.data,
      clock: new ManualClock(NOW),
      parse: {
        spawn: () =>
          new Worker("const p = require('node:worker_threads').parentPort; p.once('message', () => process.exit(3)); p.postMessage('ready');", { eval: true }).on('message', () => dyingReady()),
      },
    }).importEvents(gated(readyToDie));
    expect(dying).toEqual(s);
    expect(b.sessions.flat(2)).toEqual(a.sessions.flat(2));
  });
});
