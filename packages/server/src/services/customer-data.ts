import { MAX_BATCH, parseEventInput, parseProfileInput, type EventBatch, type EventIngest, type FieldError, type ProfileUpsert } from '@wareach/core';
import type { EventStore, IngestedEvent, IngestOutcome } from '../adapters/storage/event-store';
import type { ProfileStore, UpsertOutcome } from '../adapters/storage/profile-store';
import type { AuditLog } from './audit';
import { AppError, notFound, validationError } from './errors';
import type { Actor, Clock } from './ports';

/**
 * Told of every written event (the trigger engine). `eventNames`, when given, names the events it acts
 * on now: a bulk import reads back only those once its transaction has committed (none, when no
 * triggered task is running), instead of keeping every event it wrote for the listener.
 */
export type EventsListener = ((events: IngestedEvent[]) => Promise<void>) & { eventNames?: () => Promise<ReadonlySet<string>> };

/** Events a bulk import's listeners are given at a time once its transaction has committed. */
const READ_BACK = 2000;

/**
 * Profiles and events. API batches are all-or-nothing: every item is validated first, and one bad item
 * refuses the whole batch with a detail per bad item (nothing written). A valid batch is written in one
 * transaction. Events are idempotent on `messageId`: an already-ingested message is reported as a
 * duplicate and not written again.
 */
export function createCustomerDataService(deps: {
  profiles: ProfileStore;
  events: EventStore;
  audit: AuditLog;
  clock: Clock;
  listeners: EventsListener[];
}) {
  const { profiles, events, clock } = deps;

  function checkBatchSize(items: unknown[], field: string) {
    if (items.length === 0) throw validationError([{ path: field, message: 'must hold at least one item' }]);
    if (items.length > MAX_BATCH) throw validationError([{ path: field, message: `must hold at most ${MAX_BATCH} items (got ${items.length})` }]);
  }

  function parseProfiles(items: unknown[], field: string): ProfileUpsert[] {
    const errors: FieldError[] = [];
    const parsed: ProfileUpsert[] = [];
    items.forEach((item, i) => {
      const r = parseProfileInput(item, `${field}.${i}`);
      if (r.ok) parsed.push(r.value);
      else errors.push(...r.error);
    });
    if (errors.length) throw validationError(errors, `${errors.length} problem(s) in the batch; nothing was written`);
    return parsed;
  }

  function parseEvents(items: unknown[], field: string, now: number): EventIngest[] {
    const errors: FieldError[] = [];
    const parsed: EventIngest[] = [];
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const r = parseEventInput(item, now, `${field}.${i}`);
      if (!r.ok) { errors.push(...r.error); return; }
      const mid = r.value.messageId;
      if (mid !== undefined) {
        const prev = seen.get(mid);
        if (prev !== undefined) errors.push({ path: `${field}.${i}.messageId`, message: `repeats the messageId of item ${prev}` });
        seen.set(mid, i);
      }
      parsed.push(r.value);
    });
    if (errors.length) throw validationError(errors, `${errors.length} problem(s) in the batch; nothing was written`);
    return parsed;
  }

  async function writeProfiles(parsed: ProfileUpsert[], field: string) {
    const r = await profiles.upsert(parsed, clock.now());
    if (!r.ok) {
      throw new AppError('conflict', 'identities conflict; nothing was written', r.errors.map((e) => ({ path: `${field}.${e.path}`, message: e.message })));
    }
    return r;
  }

  async function writeEvents(parsed: EventIngest[]): Promise<IngestOutcome> {
    const r = await events.ingest(parsed, clock.now());
    if (r.events.length) for (const l of deps.listeners) await l(r.events);
    return r;
  }

  /**
   * A bulk import's event writes: several batches in one transaction (the store's session). Imported
   * events reach the event listeners (the trigger engine) as API events do — a triggered task's range
   * decides whether an old event counts — but only once the transaction has committed, and only those
   * the listeners name when it starts (a triggered task started during a session of at most a second
   * misses its events, as one started elsewhere misses API events for the trigger index's few seconds):
   * the session keeps their ids, not the events (tens of thousands of objects held for half a second
   * outlived V8's young generation and cost more than the writes saved), and reads them back after the
   * commit, READ_BACK at a time.
   */
  async function eventSession<T>(body: (write: (batch: readonly EventBatch[]) => Promise<Omit<IngestOutcome, 'events'>>) => Promise<T>, opts?: { replayable?: boolean }): Promise<T> {
    const listeners = [...deps.listeners];
    const names = await namesWanted(listeners);
    const written = names?.size === 0 ? undefined : { names, ids: [] as number[] };
    const r = await events.session((ingest) => body((batch) => ingest(batch, clock.now())), written, opts);
    for (let i = 0; written && i < written.ids.length; i += READ_BACK) {
      const part = await events.readBack(written.ids.slice(i, i + READ_BACK), names);
      if (part.length) for (const l of listeners) await l(part);
    }
    return r;
  }

  /** The event names the listeners act on now; undefined when one of them wants every event. */
  async function namesWanted(listeners: EventsListener[]): Promise<Set<string> | undefined> {
    const names = new Set<string>();
    for (const l of listeners) {
      if (!l.eventNames) return undefined;
      for (const n of await l.eventNames()) names.add(n);
    }
    return names;
  }

  /** A bulk import's profile writes: several batches in one transaction; a conflicting batch writes nothing and says why. */
  function profileSession<T>(body: (write: (items: ProfileUpsert[]) => Promise<UpsertOutcome>) => Promise<T>, opts?: { replayable?: boolean }): Promise<T> {
    return profiles.session((upsert) => body((items) => upsert(items, clock.now())), opts);
  }

  return {
    parseProfiles,
    parseEvents,
    writeProfiles,
    writeEvents,
    eventSession,
    profileSession,
    /** Items a bulk import's batch should hold, per the store (see their `sessionBatch`). */
    sessionBatch: { events: events.sessionBatch, profiles: profiles.sessionBatch },
    /** Sessions a bulk import may write side by side, per the store (see their `sessionLanes`). */
    sessionLanes: { events: events.sessionLanes, profiles: profiles.sessionLanes },

    async upsertProfiles(items: unknown[]) {
      checkBatchSize(items, 'users');
      const r = await writeProfiles(parseProfiles(items, 'users'), 'users');
      return { ids: r.ids, created: r.created, updated: r.ids.length - r.created };
    },

    async ingestEvents(items: unknown[]) {
      checkBatchSize(items, 'events');
      const r = await writeEvents(parseEvents(items, 'events', clock.now()));
      return { accepted: r.accepted, duplicates: r.duplicates, createdProfiles: r.createdProfiles };
    },

    async getProfile(id: string) {
      const p = await profiles.get(id);
      if (!p) throw notFound('user', id);
      return p;
    },

    async getProfileByIdentity(type: string, value: string) {
      const id = await profiles.findIdByIdentity(type, value);
      if (!id) throw notFound(`user with ${type}`, value);
      return (await profiles.get(id))!;
    },

    async eraseProfile(actor: Actor, id: string) {
      const r = await profiles.erase(id);
      if (!r) throw notFound('user', id);
      await deps.audit.record(actor, { action: 'user.erase', entityType: 'user', entityId: id, details: { events: r.events } });
      return r;
    },

    timeline: events.timeline,
    catalogue: events.catalogue,
    search: profiles.search,
  };
}
export type CustomerDataService = ReturnType<typeof createCustomerDataService>;
