import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { parseEventInput, parseProfileInput, type EventIngest, type ProfileUpsert } from '@wareach/core';
import type { CustomerDataService } from './customer-data';
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
const EVENT_CHUNK = 5000;
const PROFILE_CHUNK = 2000;

/**
 * NDJSON bulk import, streamed: lines are read and written in chunks, so memory stays flat for millions
 * of lines. Each line stands alone — a bad line is refused with its number and reason and the others are
 * written (unlike the JSON batch endpoints, which are all-or-nothing).
 */
export function createBulkImport(deps: { data: CustomerDataService; clock: Clock }) {
  async function run<T>(
    stream: Readable,
    chunkSize: number,
    parse: (value: unknown, lineNo: number) => { ok: true; value: T } | { ok: false; error: { path: string; message: string }[] },
    write: (items: { line: number; value: T }[], summary: ImportSummary) => Promise<void>,
  ): Promise<ImportSummary> {
    const summary: ImportSummary = { lines: 0, accepted: 0, duplicates: 0, refused: 0, errors: [] };
    let chunk: { line: number; value: T }[] = [];
    // One chunk is written while the next is parsed (the database works while this thread parses), and
    // no more: memory stays at two chunks, and chunks are written in order.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      writing = write(chunk, summary);
      writing.catch(() => undefined); // awaited, and so rethrown, before the next chunk or at the end
      chunk = [];
    };
    try {
      for await (const batch of lines(stream)) {
        for (const raw of batch) {
          const lineNo = ++summary.lines;
          const line = raw.trim();
          if (line === '') continue;
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch (e) {
            refuse(summary, lineNo, '', `is not valid JSON (${(e as Error).message})`);
            continue;
          }
          const r = parse(value, lineNo);
          if (!r.ok) {
            for (const er of r.error.slice(0, 1)) refuse(summary, lineNo, er.path, r.error.map((x) => `${x.path ? x.path + ': ' : ''}${x.message}`).join('; '));
            continue;
          }
          chunk.push({ line: lineNo, value: r.value });
          if (chunk.length >= chunkSize) await flush();
        }
      }
      if (chunk.length) await flush();
    } finally {
      // A failing upload stops here too, but not before the chunk in flight has finished.
      await writing.catch(() => undefined);
    }
    await writing;
    // Refusals of a chunk's write arrive after the parse refusals of the next chunk: report in line order.
    summary.errors.sort((a, b) => a.line - b.line);
    return summary;
  }

  return {
    importEvents(stream: Readable) {
      return run<EventIngest>(
        stream,
        EVENT_CHUNK,
        (v) => parseEventInput(v, deps.clock.now()),
        async (items, s) => {
          const r = await deps.data.writeEvents(items.map((i) => i.value));
          s.accepted += r.accepted;
          s.duplicates += r.duplicates;
        },
      );
    },
    importProfiles(stream: Readable) {
      return run<ProfileUpsert>(
        stream,
        PROFILE_CHUNK,
        (v) => parseProfileInput(v),
        async (items, s) => {
          let pending = items;
          // A conflicting item refuses its chunk; drop the items named and write the rest.
          for (;;) {
            if (pending.length === 0) return;
            try {
              const r = await deps.data.writeProfiles(pending.map((i) => i.value), 'items');
              s.accepted += r.ids.length;
              return;
            } catch (e) {
              const details = (e as { details?: { path: string; message: string }[] }).details;
              if (!details?.length) throw e;
              const bad = new Set<number>();
              for (const d of details) {
                const idx = Number(d.path.split('.')[1]);
                const item = pending[idx];
                if (item && !bad.has(idx)) {
                  bad.add(idx);
                  refuse(s, item.line, d.path.split('.').slice(2).join('.'), d.message);
                }
              }
              if (bad.size === 0) throw e;
              pending = pending.filter((_, i) => !bad.has(i));
            }
          }
        },
      );
    },
  };
}

/**
 * Lines of a stream, a stream chunk's worth at a time (an await per chunk, not per line), pulled with
 * backpressure: the stream's own async iterator reads the next chunk only when the loop asks for it
 * (readline's iterator buffers ahead while the loop awaits its writes, so a fast upload would be held in
 * memory whole).
 */
async function* lines(stream: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const parts = (rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer))).split('\n');
    rest = parts.pop() ?? '';
    if (parts.length) yield parts; // a CRLF line's \r goes with the line's trim()
  }
  rest += decoder.end();
  if (rest !== '') yield [rest];
}

function refuse(s: ImportSummary, line: number, path: string, message: string) {
  s.refused++;
  if (s.errors.length < MAX_REPORTED) s.errors.push({ line, path, message });
}
export type BulkImport = ReturnType<typeof createBulkImport>;
