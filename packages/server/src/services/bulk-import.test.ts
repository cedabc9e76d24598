import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EventIngest, ProfileUpsert } from '@wareach/core';
import { createBulkImport } from './bulk-import';
import type { CustomerDataService } from './customer-data';
import { AppError } from './errors';
import { ManualClock } from './ports';

const NOW = Date.parse('2026-11-25T00:00:00Z');
const ndjson = (lines: unknown[]) => Readable.from([lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')]);

/** A data service that records the chunks it is given, in the order their writes start and end. */
function fakeData(opts: { conflict?: (p: ProfileUpsert) => boolean; failEventsAt?: number } = {}) {
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const track = async <T>(what: string, f: () => T): Promise<T> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    log.push(`start ${what}`);
    await new Promise((r) => setImmediate(r));
    try {
      return f();
    } finally {
      inFlight--;
      log.push(`end ${what}`);
    }
  };
  let eventChunks = 0;
  const data = {
    writeEvents: (items: EventIngest[]) => track(`events ${items[0]?.messageId}`, () => {
      if (++eventChunks === opts.failEventsAt) throw new Error('disk full');
      return { accepted: items.length, duplicates: 0, createdProfiles: 0, events: [] };
    }),
    writeProfiles: (items: ProfileUpsert[], field: string) => track(`profiles ${items.length}`, () => {
      const bad = items.flatMap((p, i) => (opts.conflict?.(p) ? [{ path: `${field}.${i}.identities.whatsapp`, message: 'already belongs to profile x' }] : []));
      if (bad.length) throw new AppError('conflict', 'identities conflict; nothing was written', bad);
      return { ok: true as const, ids: items.map((p) => p.id!), created: items.length };
    }),
  } as unknown as CustomerDataService;
  return { data, log, maxInFlight: () => maxInFlight };
}

describe('NDJSON bulk import', () => {
  it('refuses bad lines by number, in line order, and writes the others', async () => {
    const f = fakeData({ conflict: (p) => p.id === 'c' });
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW) });
    const lines = [{ id: 'a' }, '{nope', { id: 'b', timezone: 'Mars/Olympus' }, '', { id: 'c', identities: { whatsapp: '+8613800138000' } }, { id: 'd' }];
    const s = await bi.importProfiles(ndjson(lines));
    expect(s).toMatchObject({ lines: 6, accepted: 2, refused: 3 });
    expect(s.errors.map((e) => [e.line, e.path])).toEqual([[2, ''], [3, 'timezone'], [5, 'identities.whatsapp']]);
  });

  it('writes one chunk while parsing the next, never two at once, in order', async () => {
    const f = fakeData();
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW) });
    const s = await bi.importEvents(ndjson(Array.from({ length: 12_000 }, (_, i) => ({ userId: 'u1', name: 'open', messageId: `m${i}` }))));
    expect(s).toMatchObject({ lines: 12_000, accepted: 12_000, refused: 0 });
    expect(f.maxInFlight()).toBe(1);
    expect(f.log).toEqual(['start events m0', 'end events m0', 'start events m5000', 'end events m5000', 'start events m10000', 'end events m10000']);
  });

  it('fails the import when a write fails, after the write in flight has ended', async () => {
    const f = fakeData({ failEventsAt: 1 });
    const bi = createBulkImport({ data: f.data, clock: new ManualClock(NOW) });
    await expect(bi.importEvents(ndjson(Array.from({ length: 12_000 }, (_, i) => ({ userId: 'u1', name: 'open', messageId: `m${i}` }))))).rejects.toThrow('disk full');
    expect(f.log.at(-1)).toMatch(/^end /);
  });
});
