import type { EventCatalogue, EventIngest, ProfileUpsert } from '@wareach/core';
import { eventCatalogue, parseEventInput } from '@wareach/core/customer/event-input';
import { parseProfileInput } from '@wareach/core/customer/profile-input';

/**
 * The parsing half of an NDJSON import: a piece of the upload (whole lines) in, its valid items and its
 * refused lines out. It runs on the import's worker thread (import-parse-worker.ts) and, when no worker
 * can run, on the main thread: same function, same answers. It imports only core's input rules, so the
 * worker loads little.
 */

export type ImportKind = 'events' | 'profiles';

/**
 * The events of a piece, packed: their text fields one after another in one string, with each field's
 * length (+1; 0 for none) in `lengths` — six an event: userId, identity type and value, name,
 * properties as JSON, messageId — and their times in `at`. A worker hands this
 * over as three values, not an object (~1.7 µs an event to receive) or a few thousand strings: the
 * receiving thread makes the strings only when it writes the events. Received strings that wait for a
 * slow database (PostgreSQL) while more arrive were promoted out of V8's young generation by the hundred MB.
 */
export interface EventColumns {
  count: number;
  text: string;
  lengths: Uint32Array;
  at: Float64Array;
  /** The catalogue rows of these events, worked out where their properties were parsed. */
  catalogue: EventCatalogue;
}

export interface ParsedPiece {
  /** Lines in the piece, empty ones included. */
  lines: number;
  /** Refused lines: number within the piece (from 1), path of the first problem, every problem. */
  refused: [line: number, path: string, message: string][];
  events?: EventColumns;
  /**
   * The valid profiles as one JSON array (parsed where they are written) and their line numbers. A
   * profile is a graph of a dozen small objects; the few thousand waiting to be written were promoted
   * out of the young generation and more than doubled the writing thread's heap (a string is not).
   */
  profiles?: { json: string; count: number; lines: number[] };
}

/** Parses a piece of whole lines; `now` is the time a line without `time` gets and the future check's. */
export function parsePiece(kind: ImportKind, text: string, now: number): ParsedPiece {
  const refused: ParsedPiece['refused'] = [];
  const ev = kind === 'events' ? { text: [] as string[], lengths: [] as number[] } : undefined;
  const evParsed: EventIngest[] = [];
  const field = (v: string | undefined) => {
    ev!.lengths.push(v === undefined ? 0 : v.length + 1);
    if (v) ev!.text.push(v);
  };
  const profiles = kind === 'profiles' ? { items: [] as ProfileUpsert[], lines: [] as number[] } : undefined;
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
    const r = ev ? parseEventInput(value, now) : parseProfileInput(value);
    if (!r.ok) {
      refused.push([lineNo, r.error[0]?.path ?? '', r.error.map((x) => `${x.path ? x.path + ': ' : ''}${x.message}`).join('; ')]);
      continue;
    }
    if (ev) {
      const e = r.value as EventIngest;
      field(e.userId);
      field(e.identity?.type);
      field(e.identity?.value);
      field(e.name);
      field(e.propertiesJson ?? JSON.stringify(e.properties));
      field(e.messageId);
      evParsed.push(e);
    } else {
      profiles!.items.push(r.value as ProfileUpsert);
      profiles!.lines.push(lineNo);
    }
  }
  if (ev) {
    const events: EventColumns = { count: evParsed.length, text: ev.text.join(''), lengths: Uint32Array.from(ev.lengths), at: Float64Array.from(evParsed, (e) => e.at), catalogue: eventCatalogue(evParsed) };
    return { lines: lineNo, refused, events };
  }
  return { lines: lineNo, refused, profiles: { json: JSON.stringify(profiles!.items), count: profiles!.items.length, lines: profiles!.lines } };
}

/** The profiles of a parsed piece. */
export const pieceProfiles = (p: NonNullable<ParsedPiece['profiles']>): ProfileUpsert[] => JSON.parse(p.json) as ProfileUpsert[];


/**
 * An event of a parsed piece, for the store. Its properties are parsed again only if asked for (the
 * trigger engine asks for those of the events its triggered tasks wait for): the store writes the JSON
 * the worker made and the catalogue came with the piece.
 */
export class ColumnEvent implements EventIngest {
  #properties: Record<string, unknown> | undefined;
  constructor(
    readonly userId: string | undefined,
    readonly identity: { type: string; value: string } | undefined,
    readonly name: string,
    readonly at: number,
    readonly propertiesJson: string,
    readonly messageId: string | undefined,
  ) {}
  get properties(): Record<string, unknown> {
    return (this.#properties ??= JSON.parse(this.propertiesJson) as Record<string, unknown>);
  }
}

/** The events of a piece. */
export function columnEvents(c: EventColumns): ColumnEvent[] {
  const out = new Array<ColumnEvent>(c.count);
  const { text, lengths } = c;
  let pos = 0;
  let k = 0;
  const next = (): string | undefined => {
    const n = lengths[k++]!;
    if (n === 0) return undefined;
    const v = text.slice(pos, pos + n - 1);
    pos += n - 1;
    return v;
  };
  for (let i = 0; i < out.length; i++) {
    const userId = next();
    const type = next();
    const value = next();
    out[i] = new ColumnEvent(userId, type === undefined ? undefined : { type, value: value ?? '' }, next()!, c.at[i]!, next()!, next());
  }
  return out;
}
