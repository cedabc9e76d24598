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
 * The events of a piece as columns: a worker hands them over as a few arrays of strings, which costs
 * the receiving thread ~0.15 µs an event, where an object an event cost ~1.7 µs.
 */
export interface EventColumns {
  userId: (string | null)[];
  identityType: (string | null)[];
  identityValue: (string | null)[];
  name: string[];
  at: Float64Array;
  propertiesJson: string[];
  messageId: (string | null)[];
  /** The catalogue rows of these events, worked out where their properties were parsed. */
  catalogue: EventCatalogue;
}

export interface ParsedPiece {
  /** Lines in the piece, empty ones included. */
  lines: number;
  /** Refused lines: number within the piece (from 1), path of the first problem, every problem. */
  refused: [line: number, path: string, message: string][];
  events?: EventColumns;
  profiles?: { items: ProfileUpsert[]; lines: number[] };
}

/** Parses a piece of whole lines; `now` is the time a line without `time` gets and the future check's. */
export function parsePiece(kind: ImportKind, text: string, now: number): ParsedPiece {
  const refused: ParsedPiece['refused'] = [];
  const ev = kind === 'events' ? newColumns() : undefined;
  const evParsed: EventIngest[] = [];
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
      ev.userId.push(e.userId ?? null);
      ev.identityType.push(e.identity?.type ?? null);
      ev.identityValue.push(e.identity?.value ?? null);
      ev.name.push(e.name);
      ev.propertiesJson.push(e.propertiesJson ?? JSON.stringify(e.properties));
      ev.messageId.push(e.messageId ?? null);
      evParsed.push(e);
    } else {
      profiles!.items.push(r.value as ProfileUpsert);
      profiles!.lines.push(lineNo);
    }
  }
  if (ev) {
    ev.at = Float64Array.from(evParsed, (e) => e.at);
    ev.catalogue = eventCatalogue(evParsed);
    return { lines: lineNo, refused, events: ev };
  }
  return { lines: lineNo, refused, profiles };
}

const newColumns = (): EventColumns => ({ userId: [], identityType: [], identityValue: [], name: [], at: new Float64Array(0), propertiesJson: [], messageId: [], catalogue: { names: [], props: [] } });

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

/** The events of a piece's columns. */
export function columnEvents(c: EventColumns): ColumnEvent[] {
  const out = new Array<ColumnEvent>(c.name.length);
  for (let i = 0; i < out.length; i++) {
    const type = c.identityType[i];
    out[i] = new ColumnEvent(c.userId[i] ?? undefined, type == null ? undefined : { type, value: c.identityValue[i]! }, c.name[i]!, c.at[i]!, c.propertiesJson[i]!, c.messageId[i] ?? undefined);
  }
  return out;
}
