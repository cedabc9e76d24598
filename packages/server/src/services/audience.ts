import { parseAudienceRule, ruleReferences, type AudienceRule } from '@wareach/core';
import {
  estimateAudience,
  pageAudienceMembers,
  profileMatches,
  type AudienceSpec,
} from '../adapters/storage/audience/audience-query';
import type { SegmentSource } from '../adapters/storage/audience/compile-rule';
import type { DatabaseHandle } from '../adapters/storage/database';
import { memberSetKey, type SegmentRow, type SegmentStore } from '../adapters/storage/segment-store';
import type { Clock, IdSource } from './ports';

/** One recipient of a run: a profile (with its WhatsApp number when it has one) or a bare CSV number. */
export interface AudienceMember {
  profileId: string | null;
  phone: string | null;
}

/** What iteration and membership need to know of a task (the task service's records have it). */
export interface TaskAudienceRef {
  id: string;
  audienceSegmentId: string | null;
  /** Testers' numbers (E.164) added to every run. */
  supplementaryIds?: readonly string[];
}

export interface Estimate {
  /** Profiles matched. */
  oneIds: number;
  /** Of them, those with a WhatsApp number (a send ID of the channel). */
  sendIds: number;
}

/** Rules may name realtime segments, which may name others: bound the walk. */
const MAX_REFERENCED_SEGMENTS = 200;
const SNAPSHOT_TTL_MS = 24 * 3_600_000;

/**
 * Audience evaluation over the stored profiles: estimates, live membership, and iteration of a
 * segment's or a task's audience in batches for the engine.
 *
 * - Stored segments (on_demand and daily rule segments, CSV and lists) are read from their members.
 * - Realtime segments are evaluated at use: membership checks run the rule for the one profile;
 *   iteration writes a snapshot of the live result and pages through it.
 */
export function createAudienceService(deps: { handle: DatabaseHandle; segments: SegmentStore; clock: Clock; ids: IdSource }) {
  const { handle, segments: store, clock } = deps;
  const dialect = handle.dialect;

  /** Sources of the segments a rule names: realtime rule segments are inlined live, the rest stored. */
  async function sourcesFor(rule: AudienceRule): Promise<Map<string, SegmentSource>> {
    const sources = new Map<string, SegmentSource>();
    const seen = new Set<string>();
    let pending = ruleReferences(rule).segments;
    while (pending.length && seen.size < MAX_REFERENCED_SEGMENTS) {
      pending.forEach((id) => seen.add(id));
      const rows = await store.getMany(pending);
      pending = [];
      for (const row of rows) {
        if (row.kind !== 'rule' || row.refresh_mode !== 'realtime' || row.rule === null) continue;
        const parsed = parseAudienceRule(JSON.parse(row.rule));
        if (!parsed.ok) continue;
        sources.set(row.id, { kind: 'live', rule: parsed.value, subjectType: row.subject_type });
        pending.push(...ruleReferences(parsed.value).segments.filter((id) => !seen.has(id)));
      }
    }
    return sources;
  }

  async function specFor(rule: AudienceRule, subjectType: string | undefined, now: number): Promise<AudienceSpec> {
    return { rule, now, subjectType, segments: await sourcesFor(rule) };
  }

  function ruleOf(row: SegmentRow): AudienceRule {
    const parsed = row.rule === null ? undefined : parseAudienceRule(JSON.parse(row.rule));
    if (!parsed?.ok) throw new Error(`segment ${row.id} holds no valid rule`);
    return parsed.value;
  }

  const isLive = (row: SegmentRow) => row.kind === 'rule' && row.refresh_mode === 'realtime';

  /**
   * Pages through a member set by id. With `follow`, the segment's current set is re-read before each
   * page: when a refresh or an upload replaced it mid-way, iteration starts again over the new set
   * rather than mix two sets. Members already given may come again (the engine derives delivery ids
   * from the recipient, so a repeat is not sent twice), and nobody is skipped.
   */
  async function* batchesOf(key: string, batchSize: number, follow: string | null): AsyncGenerator<AudienceMember[]> {
    let current = key;
    let after = 0;
    for (;;) {
      if (follow) {
        const now = await store.currentKey(follow);
        if (now === null) return;
        if (now !== current) {
          current = now;
          after = 0;
        }
      }
      const rows = await store.memberBatch(current, after, batchSize);
      if (rows.length === 0) return;
      yield rows.map((r) => ({ profileId: r.profileId, phone: r.phone }));
      after = rows[rows.length - 1]!.id;
      if (rows.length < batchSize) return;
    }
  }

  async function* iterateSegment(row: SegmentRow, batchSize: number, now: number): AsyncGenerator<AudienceMember[]> {
    if (!isLive(row)) {
      yield* batchesOf(row.members_key, batchSize, row.id);
      return;
    }
    await store.sweepStale(now - SNAPSHOT_TTL_MS);
    const key = memberSetKey(now, deps.ids.next());
    try {
      await store.snapshotRule(key, await specFor(ruleOf(row), row.subject_type, now));
      yield* batchesOf(key, batchSize, null);
    } finally {
      await store.dropSet(key);
    }
  }

  return {
    sourcesFor,
    specFor,

    estimateRule: async (rule: AudienceRule, subjectType: string | undefined): Promise<Estimate> =>
      estimateAudience(handle.db, dialect, await specFor(rule, subjectType, clock.now())),

    /** A rule segment is estimated live (the current data); a CSV or list segment from its members. */
    async estimateSegment(row: SegmentRow): Promise<Estimate> {
      if (row.kind === 'rule') return estimateAudience(handle.db, dialect, await specFor(ruleOf(row), row.subject_type, clock.now()));
      const c = await store.counts(row.members_key);
      return { oneIds: c.profiles, sendIds: c.phones };
    },

    async memberPage(row: SegmentRow, limit: number, offset: number) {
      if (!isLive(row)) return store.memberPage(row.members_key, limit, offset);
      const spec = await specFor(ruleOf(row), row.subject_type, clock.now());
      const [items, est] = await Promise.all([pageAudienceMembers(handle.db, dialect, spec, limit, offset), estimateAudience(handle.db, dialect, spec)]);
      return { total: est.oneIds, items: items.map((m) => ({ id: null, ...m })) };
    },

    /**
     * The members of a segment, or of a task's audience (its segment, then its supplementary numbers
     * not already given), in batches. Unknown segment: nothing.
     */
    async *iterateAudience(target: string | TaskAudienceRef, opts: { batchSize?: number; now?: number } = {}): AsyncGenerator<AudienceMember[]> {
      const batchSize = opts.batchSize ?? 1000;
      const now = opts.now ?? clock.now();
      const segmentId = typeof target === 'string' ? target : target.audienceSegmentId;
      const extra = typeof target === 'string' ? [] : [...new Set(target.supplementaryIds ?? [])];
      const left = new Set(extra);
      const row = segmentId ? await store.get(segmentId) : undefined;
      if (row) {
        for await (const batch of iterateSegment(row, batchSize, now)) {
          for (const m of batch) if (m.phone) left.delete(m.phone);
          yield batch;
        }
      }
      const rest = extra.filter((p) => left.has(p));
      for (let i = 0; i < rest.length; i += batchSize) yield rest.slice(i, i + batchSize).map((phone) => ({ profileId: null, phone }));
    },

    /**
     * Which of the profiles are in the task's audience as of `now`: in its segment's stored members, or
     * matching a realtime segment's rule now; or owning one of its supplementary numbers. One look-up
     * for a batch (the dispatcher checks a triggered task's messages when they fall due).
     */
    async inAudience(task: TaskAudienceRef, profileIds: string[], now: number = clock.now()): Promise<Set<string>> {
      const ids = [...new Set(profileIds)];
      const yes = new Set<string>();
      if (!ids.length) return yes;
      const row = task.audienceSegmentId ? await store.get(task.audienceSegmentId) : undefined;
      if (row) {
        if (isLive(row)) {
          const spec = await specFor(ruleOf(row), row.subject_type, now);
          for (const id of ids) if (await profileMatches(handle.db, dialect, spec, id)) yes.add(id);
        } else for (const id of await store.membersAmong(row.members_key, ids)) yes.add(id);
      }
      const rest = ids.filter((id) => !yes.has(id));
      if (task.supplementaryIds?.length && rest.length) {
        const extra = new Set(task.supplementaryIds);
        for (const [id, phones] of await store.phonesOf(rest)) if (phones.some((p) => extra.has(p))) yes.add(id);
      }
      return yes;
    },
  };
}
export type AudienceService = ReturnType<typeof createAudienceService>;
