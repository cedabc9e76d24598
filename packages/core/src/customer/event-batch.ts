import { eventCatalogue, type EventCatalogue, type EventIngest } from './event-input';

/** The text fields of an event in an EventBatch, in this order. */
export const EVENT_FIELD = { userId: 0, identityType: 1, identityValue: 2, name: 3, properties: 4, messageId: 5 } as const;
const FIELDS = 6;
const SEPARATOR = '\u0001';
const ABSENT = '\u0002';

/**
 * Events as columns: how a bulk import's parse thread hands its events over, and what the event store
 * writes. Each field's values are one run of `text`, joined by \x01, an absent value written as \x02:
 * when `plain`, that run is as it stands the input of PostgreSQL's string_to_array(…, chr(1), chr(2)),
 * so a batch of thousands of events becomes a statement without a string an event on the writing
 * thread; SQLite binds each value, sliced from `text` as it is written (FieldReader). A few strings
 * and typed arrays also cost a worker little to send and the writing thread little to keep: thousands
 * of small objects that waited for a slow database were promoted out of V8's young generation.
 *
 * The identity is kept only for an event without a user ID (the user ID decides which profile it is).
 */
export interface EventBatch {
  count: number;
  text: string;
  /** Where each field's run starts in `text`, and where the last ends (7 offsets). */
  starts: Uint32Array;
  /** Each value's length + 1, 0 when absent; field by field (field f of event i at f × count + i). */
  lengths: Uint32Array;
  at: Float64Array;
  /**
   * No value holds \x01 or \x02 or is empty. JSON.stringify escapes control characters and event names
   * cannot hold them, so only user IDs, identities and message IDs are looked at.
   */
  plain: boolean;
  /** The distinct user IDs, sorted (the store looks them up in that order), as a JSON array. */
  userIds: string;
  /** The catalogue rows of these events, worked out where their properties were parsed. */
  catalogue: EventCatalogue;
}

const awkward = (v: string) => v === '' || v.includes(SEPARATOR) || v.includes(ABSENT);

/** Packs parsed events (in order) into a batch. */
export function packEvents(events: readonly EventIngest[]): EventBatch {
  const count = events.length;
  const lengths = new Uint32Array(count * FIELDS);
  const starts = new Uint32Array(FIELDS + 1);
  const at = new Float64Array(count);
  const runs: string[] = [];
  const users = new Set<string>();
  let plain = true;
  let offset = 0;
  const values = new Array<string>(count);
  for (let f = 0; f < FIELDS; f++) {
    for (let i = 0; i < count; i++) {
      const e = events[i]!;
      const v = fieldOf(e, f);
      if (v === undefined) values[i] = ABSENT;
      else {
        values[i] = v;
        lengths[f * count + i] = v.length + 1;
        if (plain && f !== EVENT_FIELD.name && f !== EVENT_FIELD.properties && awkward(v)) plain = false;
      }
      if (f === 0) {
        at[i] = e.at;
        if (v !== undefined) users.add(v);
      }
    }
    const run = values.join(SEPARATOR);
    starts[f] = offset;
    offset += run.length + (f < FIELDS - 1 ? 1 : 0);
    runs.push(run);
  }
  starts[FIELDS] = offset;
  return { count, text: runs.join(SEPARATOR), starts, lengths, at, plain, userIds: JSON.stringify([...users].sort()), catalogue: eventCatalogue(events) };
}

function fieldOf(e: EventIngest, f: number): string | undefined {
  switch (f) {
    case EVENT_FIELD.userId:
      return e.userId;
    case EVENT_FIELD.identityType:
      return e.userId === undefined ? e.identity?.type : undefined;
    case EVENT_FIELD.identityValue:
      return e.userId === undefined ? e.identity?.value : undefined;
    case EVENT_FIELD.name:
      return e.name;
    case EVENT_FIELD.properties:
      return e.propertiesJson ?? JSON.stringify(e.properties);
    default:
      return e.messageId;
  }
}

/** One field's run of `text`: its values joined by \x01, \x02 for an absent one. */
export const fieldRun = (b: EventBatch, field: number): string => b.text.slice(b.starts[field]!, b.starts[field + 1]! - (field < FIELDS - 1 ? 1 : 0));

/** Reads one field of a batch, value after value, each sliced from the batch's text. */
export class FieldReader {
  private pos: number;
  private k: number;
  constructor(private readonly b: EventBatch, field: number) {
    this.pos = b.starts[field]!;
    this.k = field * b.count;
  }
  next(): string | undefined {
    const n = this.b.lengths[this.k++]!;
    if (n === 0) {
      this.pos += 2;
      return undefined;
    }
    const v = this.b.text.slice(this.pos, this.pos + n - 1);
    this.pos += n;
    return v;
  }
}

/** Every value of one field. */
export function fieldValues(b: EventBatch, field: number): (string | undefined)[] {
  const r = new FieldReader(b, field);
  return Array.from({ length: b.count }, () => r.next());
}

/** Whether some event of the batch is given by identity rather than user ID. */
export function hasIdentities(b: EventBatch): boolean {
  for (let i = 0; i < b.count; i++) if (b.lengths[i] === 0) return true;
  return false;
}

/** Reads one field of a batch by event index (where each value starts is worked out once). */
export class FieldIndex {
  private readonly starts: Uint32Array;
  private readonly k: number;
  constructor(private readonly b: EventBatch, field: number) {
    this.k = field * b.count;
    this.starts = new Uint32Array(b.count);
    let pos = b.starts[field]!;
    for (let i = 0; i < b.count; i++) {
      this.starts[i] = pos;
      const n = b.lengths[this.k + i]!;
      pos += n === 0 ? 2 : n;
    }
  }
  get(i: number): string | undefined {
    const n = this.b.lengths[this.k + i]!;
    return n === 0 ? undefined : this.b.text.slice(this.starts[i]!, this.starts[i]! + n - 1);
  }
}
