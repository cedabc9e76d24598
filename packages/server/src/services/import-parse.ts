import type { EventIngest, ProfileUpsert } from '@wareach/core';
import { packEvents, type EventBatch } from '@wareach/core/customer/event-batch';
import { parseEventInput } from '@wareach/core/customer/event-input';
import { parseProfileInput } from '@wareach/core/customer/profile-input';

/**
 * The parsing half of an NDJSON import: a piece of the upload (whole lines) in, its valid items and its
 * refused lines out. It runs on the import's worker thread (import-parse-worker.ts) and, when no worker
 * can run, on the main thread: same function, same answers. It imports only core's input rules, so the
 * worker loads little.
 */

export type ImportKind = 'events' | 'profiles';

export interface ParsedPiece {
  /** Lines in the piece, empty ones included. */
  lines: number;
  /** Refused lines: number within the piece (from 1), path of the first problem, every problem. */
  refused: [line: number, path: string, message: string][];
  /** The valid events, as columns (see EventBatch). */
  events?: EventBatch;
  /**
   * The valid profiles as one JSON array (parsed where they are written) and their line numbers. A
   * profile is a graph of a dozen small objects; the few thousand waiting to be written were promoted
   * out of the young generation and more than doubled the writing thread's heap (a string is not).
   */
  profiles?: { json: string; count: number; lines: number[]; keys: string[] };
}

/** Parses a piece of whole lines; `now` is the time a line without `time` gets and the future check's. */
export function parsePiece(kind: ImportKind, text: string, now: number): ParsedPiece {
  const refused: ParsedPiece['refused'] = [];
  const events = kind === 'events' ? ([] as EventIngest[]) : undefined;
  const profiles = kind === 'profiles' ? { items: [] as ProfileUpsert[], lines: [] as number[], keys: [] as string[] } : undefined;
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim(); // a CRLF line's \r goes with the trim
    start = end + 1;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      refused.push([lineNo, '', `is not valid JSON (${(e as Error).message})`]);
      continue;
    }
    const r = events ? parseEventInput(value, now) : parseProfileInput(value);
    if (!r.ok) {
      refused.push([lineNo, r.error[0]?.path ?? '', r.error.map((x) => `${x.path ? x.path + ': ' : ''}${x.message}`).join('; ')]);
      continue;
    }
    if (events) events.push(r.value as EventIngest);
    else {
      const p = r.value as ProfileUpsert;
      profiles!.items.push(p);
      profiles!.lines.push(lineNo);
      profiles!.keys.push(...profileKeys(p));
    }
  }
  if (events) return { lines: lineNo, refused, events: packEvents(events) };
  return { lines: lineNo, refused, profiles: { json: JSON.stringify(profiles!.items), count: profiles!.items.length, lines: profiles!.lines, keys: profiles!.keys } };
}

/** What a profile line writes to that another line may write too: its one-ID and its identities. */
function profileKeys(p: ProfileUpsert): string[] {
  const keys = p.identities.map((i) => `i\u0000${i.type}\u0000${i.value}`);
  if (p.id !== undefined) keys.push(`p\u0000${p.id}`);
  return keys;
}

/** The profiles of a parsed piece. */
export const pieceProfiles = (p: NonNullable<ParsedPiece['profiles']>): ProfileUpsert[] => JSON.parse(p.json) as ProfileUpsert[];

