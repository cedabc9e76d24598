import { typeValue, type AttributeType } from '../customer/profile-input';
import { matchPropertyFilters, type EventProperties } from './property-filter';
import type { AudienceCondition, AudienceRule, EventCondition, TypedValueCondition } from './rule-schema';
import { durationMs, inInterval, resolveTimeRange } from './time-range';

/**
 * The reference meaning of an audience rule: a plain evaluator over one in-memory profile. It is the
 * oracle the SQL compiler (SQLite and PostgreSQL) is tested against, so every choice below is one SQL
 * can express exactly, and SQL must make the same one.
 *
 * Groups
 * - `and`: every child matches; `or`: at least one does. An empty `and` matches, an empty `or` does not
 *   (only the root may be empty).
 *
 * Typed values (attribute and tag leaves)
 * - A value is read with the type the profile store gives it at ingest (`typeValue` in
 *   customer/profile-input): an ISO 8601 date-time string with a zone is a `datetime`, not a `string`.
 *   SQL must therefore filter on the stored `type` column.
 * - A value is *missing* when the key is absent, null, of another type than the condition's
 *   `valueType`, or an empty string list (the store keeps one row per list element, so an empty list
 *   leaves no row and cannot be told apart from no list).
 * - A missing value matches `not_exists` and nothing else: `ne`, `not_in`, `is_false`, every
 *   comparison are false, exactly like SQL comparisons with NULL. `exists` is its negation.
 * - Strings compare case-sensitively, code unit by code unit; `contains` is a substring test and
 *   `starts_with` a prefix test (SQLite: `instr()` / `substr()`, never `LIKE`, which ignores ASCII case
 *   and treats `%` and `_` as wildcards).
 * - Numbers: `between [lo, hi]` is inclusive at both ends, as SQL `BETWEEN`.
 * - Datetimes compare as instants (epoch ms). `before t`: value < t; `after t`: value > t (both strict);
 *   `between [a, b]`: a ≤ value < b; `within_last {amount, unit}`: now − amount·unit ≤ value < now, a day
 *   being 24 hours. A future value is never `within_last`.
 * - Booleans: `is_true` / `is_false` need a boolean of that value; a missing one is neither.
 * - String lists: `contains v`: v is an element; `contains_any`: at least one given value is an element;
 *   `contains_all`: every given value is an element.
 *
 * Segments: `member: true` matches when the profile is in `segmentMembership` (the segment's last
 * computed members); an unknown segment has no members.
 *
 * Identities: `has: true` matches when the profile holds at least one identity of that type.
 *
 * Events: n = the profile's events with exactly that name (case-sensitive), a time `at` inside the
 * range — start inclusive, end exclusive; a relative range is `[now − last·unit, now)` — and all property
 * filters matching (see property-filter.ts).
 * - `did: true` matches when n ≥ 1 and, if a count is given, n satisfies it (`count: {op: 'lt', value: 3}`
 *   means one or two times).
 * - `did: false` matches when n = 0. A count is not allowed with it (the schema refuses it).
 */

/** A profile value as kept on the profile: ISO strings for datetimes, arrays for string lists. */
export type ProfileValue = string | number | boolean | readonly string[] | null | undefined;

export interface AudienceUser {
  oneId: string;
  attributes: Readonly<Record<string, ProfileValue>>;
  tags: Readonly<Record<string, ProfileValue>>;
  identities: ReadonlyArray<{ type: string; value: string }>;
  timezone?: string | null;
}

/** One behaviour event of the profile; `at` is epoch ms (as the event store keeps it). */
export interface AudienceEvent {
  name: string;
  at: number;
  properties: EventProperties;
}

export interface EvaluationContext {
  /** Epoch ms: relative event ranges and `within_last` count back from it. */
  now: number;
  /** The profile's own events (events of others must not be passed). */
  events: readonly AudienceEvent[];
  /** IDs of the segments the profile is a member of. */
  segmentMembership: ReadonlySet<string>;
}

type Typed =
  | { type: Exclude<AttributeType, 'string_list'>; value: string | number | boolean; num: number | null }
  | { type: 'string_list'; list: readonly string[] };

function typedOf(v: ProfileValue): Typed | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) {
    const list = v as readonly unknown[];
    return list.length > 0 && list.every((s) => typeof s === 'string') ? { type: 'string_list', list: list as string[] } : null;
  }
  const t = typeValue(v as string | number | boolean);
  if (typeof t === 'string' || t.type === 'string_list' || Array.isArray(t.value)) return null;
  return { type: t.type, value: t.value, num: t.num };
}

/** Does a typed value (attribute or tag) satisfy the condition? `raw` is the profile's value. */
export function matchTypedValue(condition: TypedValueCondition, raw: ProfileValue, now: number): boolean {
  const typed = typedOf(raw);
  const present = typed !== null && typed.type === condition.valueType;
  if (condition.op === 'exists') return present;
  if (condition.op === 'not_exists') return !present;
  if (!present) return false;

  switch (condition.valueType) {
    case 'string': {
      if (typed.type !== 'string' || typeof typed.value !== 'string') return false;
      const s = typed.value;
      switch (condition.op) {
        case 'eq': return s === condition.value;
        case 'ne': return s !== condition.value;
        case 'contains': return s.includes(condition.value);
        case 'starts_with': return s.startsWith(condition.value);
        case 'in': return condition.value.includes(s);
        case 'not_in': return !condition.value.includes(s);
      }
      return false;
    }
    case 'number': {
      if (typed.type !== 'number' || typeof typed.value !== 'number') return false;
      const x = typed.value;
      switch (condition.op) {
        case 'eq': return x === condition.value;
        case 'ne': return x !== condition.value;
        case 'gt': return x > condition.value;
        case 'gte': return x >= condition.value;
        case 'lt': return x < condition.value;
        case 'lte': return x <= condition.value;
        case 'between': return x >= condition.value[0] && x <= condition.value[1];
        case 'in': return condition.value.includes(x);
      }
      return false;
    }
    case 'boolean': {
      if (typed.type !== 'boolean') return false;
      return condition.op === 'is_true' ? typed.value === true : typed.value === false;
    }
    case 'datetime': {
      if (typed.type !== 'datetime' || typed.num === null) return false;
      const t = typed.num;
      switch (condition.op) {
        case 'before': return t < Date.parse(condition.value);
        case 'after': return t > Date.parse(condition.value);
        case 'between': return t >= Date.parse(condition.value[0]) && t < Date.parse(condition.value[1]);
        case 'within_last': return t >= now - durationMs(condition.value.amount, condition.value.unit) && t < now;
      }
      return false;
    }
    case 'string_list': {
      if (typed.type !== 'string_list') return false;
      const list = typed.list;
      switch (condition.op) {
        case 'contains': return list.includes(condition.value);
        case 'contains_any': return condition.value.some((v) => list.includes(v));
        case 'contains_all': return condition.value.every((v) => list.includes(v));
      }
      return false;
    }
  }
}

/** How many of the profile's events count for an event leaf (name, range and filters). */
export function countMatchingEvents(leaf: EventCondition, events: readonly AudienceEvent[], now: number): number {
  const range = resolveTimeRange(leaf.timeRange, now);
  let n = 0;
  for (const e of events) {
    if (e.name === leaf.name && inInterval(e.at, range) && matchPropertyFilters(leaf.filters, e.properties)) n++;
  }
  return n;
}

function matchEvent(leaf: EventCondition, events: readonly AudienceEvent[], now: number): boolean {
  const n = countMatchingEvents(leaf, events, now);
  if (!leaf.did) return n === 0;
  if (n < 1) return false;
  if (!leaf.count) return true;
  const v = leaf.count.value;
  switch (leaf.count.op) {
    case 'gte': return n >= v;
    case 'gt': return n > v;
    case 'lte': return n <= v;
    case 'lt': return n < v;
    case 'eq': return n === v;
  }
}

function own(record: Readonly<Record<string, ProfileValue>>, key: string): ProfileValue {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

export function evaluateCondition(condition: AudienceCondition, user: AudienceUser, ctx: EvaluationContext): boolean {
  switch (condition.kind) {
    case 'and': return condition.children.every((c) => evaluateCondition(c, user, ctx));
    case 'or': return condition.children.some((c) => evaluateCondition(c, user, ctx));
    case 'attribute': return matchTypedValue(condition, own(user.attributes, condition.name), ctx.now);
    case 'tag': return matchTypedValue(condition, own(user.tags, condition.name), ctx.now);
    case 'segment': return ctx.segmentMembership.has(condition.segmentId) === condition.member;
    case 'identity': return user.identities.some((i) => i.type === condition.type && i.value !== '') === condition.has;
    case 'event': return matchEvent(condition, ctx.events, ctx.now);
  }
}

/** Does the profile belong to the rule's audience at `ctx.now`? The rule must have been validated. */
export function evaluateRule(rule: AudienceRule, user: AudienceUser, ctx: EvaluationContext): boolean {
  return evaluateCondition(rule, user, ctx);
}
