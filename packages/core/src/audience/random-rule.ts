import type { PropertyFilter } from './property-filter';
import {
  AUDIENCE_FIXTURE_NOW,
  AUDIENCE_FIXTURE_SIGNUP_DAYS,
  AUDIENCE_FIXTURE_SPAN_DAYS,
  AUDIENCE_FIXTURE_VOCABULARY as V,
} from './audience-fixture';
import {
  AUDIENCE_RULE_LIMITS,
  type AttributeCondition,
  type AudienceCondition,
  type AudienceRule,
  type EventCondition,
  type EventCount,
  type TagCondition,
} from './rule-schema';
import { seededRandom, type SeededRandom } from './seeded-random';
import type { TimeRange } from './time-range';

export interface RandomRuleOptions {
  /** Deepest group level (root = 1), 1 to 5. */
  depth: number;
  /** Most children per group (default 4); the whole rule keeps within the leaf limit. */
  maxChildren?: number;
  /** The fixture's `now` and span, so that ranges and dates fall where the data is. */
  now?: number;
  spanDays?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A valid random rule over the vocabulary of `generateAudienceFixture`, for property tests of the SQL
 * compiler against `evaluateRule`. Values are drawn mostly from what the fixture holds (so conditions
 * match someone), sometimes from what it never holds, and times sit on the fixture's hour and day grid
 * so that boundaries coincide with data.
 */
export function generateRandomRule(seed: number, options: RandomRuleOptions): AudienceRule {
  const r = seededRandom(seed);
  const depth = Math.max(1, Math.min(AUDIENCE_RULE_LIMITS.maxDepth, Math.floor(options.depth)));
  const maxChildren = Math.max(1, options.maxChildren ?? 4);
  const now = options.now ?? AUDIENCE_FIXTURE_NOW;
  const spanHours = (options.spanDays ?? AUDIENCE_FIXTURE_SPAN_DAYS) * 24;
  let budget: number = AUDIENCE_RULE_LIMITS.maxLeaves;

  const group = (level: number): AudienceRule => {
    const children: AudienceCondition[] = [];
    const n = r.int(1, maxChildren);
    // The loop only runs with budget left, so a nested group always gets at least one leaf.
    for (let i = 0; i < n && budget > 0; i++) {
      if (level < depth && r.chance(0.4)) children.push(group(level + 1));
      else {
        children.push(randomLeaf(r, now, spanHours));
        budget--;
      }
    }
    return { kind: r.chance(0.5) ? 'and' : 'or', children };
  };
  return group(1);
}

function randomLeaf(r: SeededRandom, now: number, spanHours: number): AudienceCondition {
  const x = r.next();
  if (x < 0.3) return randomAttribute(r, now);
  if (x < 0.5) return randomTag(r, now, spanHours);
  if (x < 0.8) return randomEvent(r, now, spanHours);
  if (x < 0.9) return { kind: 'segment', segmentId: r.chance(0.9) ? r.pick(V.segments) : 'seg_unknown', member: r.chance(0.6) };
  return { kind: 'identity', type: r.chance(0.9) ? r.pick(V.identityTypes) : 'line', has: r.chance(0.7) };
}

const presence = (r: SeededRandom) => (r.chance(0.5) ? 'exists' : 'not_exists') as 'exists' | 'not_exists';

function randomString<K extends 'attribute' | 'tag'>(r: SeededRandom, kind: K, name: string, pool: readonly string[], fragments: readonly string[]) {
  const head = { kind, name, valueType: 'string' as const };
  const op = r.pick(['eq', 'ne', 'contains', 'starts_with', 'in', 'not_in', 'presence'] as const);
  const value = () => (r.chance(0.9) ? r.pick(pool) : 'Atlantis');
  switch (op) {
    case 'eq': case 'ne': return { ...head, op, value: value() };
    case 'contains': case 'starts_with': return { ...head, op, value: r.pick(fragments) };
    case 'in': case 'not_in': return { ...head, op, value: [...new Set([value(), value(), value()])].slice(0, r.int(1, 3)) };
    case 'presence': return { ...head, op: presence(r) };
  }
}

function randomNumber<K extends 'attribute' | 'tag'>(r: SeededRandom, kind: K, name: string, lo: number, hi: number) {
  const head = { kind, name, valueType: 'number' as const };
  const op = r.pick(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'presence'] as const);
  const value = () => (r.chance(0.9) ? r.int(lo, hi) : r.int(lo, hi) + 0.5);
  switch (op) {
    case 'between': {
      const a = value();
      const b = value();
      return { ...head, op, value: [Math.min(a, b), Math.max(a, b)] as [number, number] };
    }
    case 'in': return { ...head, op, value: [value(), value(), value()].slice(0, r.int(1, 3)) };
    case 'presence': return { ...head, op: presence(r) };
    default: return { ...head, op, value: value() };
  }
}

function randomDatetime<K extends 'attribute' | 'tag'>(r: SeededRandom, kind: K, name: string, from: number, step: number, steps: number) {
  const head = { kind, name, valueType: 'datetime' as const };
  const op = r.pick(['before', 'after', 'between', 'within_last', 'presence'] as const);
  const at = () => from + r.int(0, steps) * step;
  switch (op) {
    case 'before': case 'after': return { ...head, op, value: iso(at()) };
    case 'between': {
      const a = at();
      return { ...head, op, value: [iso(a), iso(a + r.int(1, steps) * step)] as [string, string] };
    }
    case 'within_last':
      return { ...head, op, value: r.chance(0.5) ? { amount: r.int(1, 400), unit: 'days' as const } : { amount: r.int(1, 72), unit: 'hours' as const } };
    case 'presence': return { ...head, op: presence(r) };
  }
}

function randomBoolean<K extends 'attribute' | 'tag'>(r: SeededRandom, kind: K, name: string) {
  const head = { kind, name, valueType: 'boolean' as const };
  return r.chance(0.8) ? { ...head, op: r.chance(0.5) ? ('is_true' as const) : ('is_false' as const) } : { ...head, op: presence(r) };
}

function randomAttribute(r: SeededRandom, now: number): AttributeCondition {
  const which = r.pick(['city', 'age', 'vip', 'signup', 'interests', 'nickname'] as const);
  const midnight = now - (now % DAY);
  switch (which) {
    case 'city': return randomString(r, 'attribute', 'city', V.cities, ['an', 'Sh', 'São', '_L', 'ai', '上', 'shanghai']);
    case 'nickname': return randomString(r, 'attribute', 'nickname', ['Bob'], ['o']);
    case 'age': return randomNumber(r, 'attribute', 'age', 16, 75);
    case 'vip': return randomBoolean(r, 'attribute', 'vip');
    case 'signup': return randomDatetime(r, 'attribute', 'signup', midnight - AUDIENCE_FIXTURE_SIGNUP_DAYS * DAY, DAY, AUDIENCE_FIXTURE_SIGNUP_DAYS);
    case 'interests': {
      const head = { kind: 'attribute' as const, name: 'interests', valueType: 'string_list' as const };
      const pool = [...V.interests, 'knitting'];
      const op = r.pick(['contains', 'contains_any', 'contains_all', 'presence'] as const);
      if (op === 'contains') return { ...head, op, value: r.pick(pool) };
      if (op === 'presence') return { ...head, op: presence(r) };
      return { ...head, op, value: r.subset(pool, 1, 3) };
    }
  }
}

function randomTag(r: SeededRandom, now: number, spanHours: number): TagCondition {
  const which = r.pick(['level', 'persona', 'churn_risk', 'last_campaign_at'] as const);
  switch (which) {
    case 'level': return randomNumber(r, 'tag', 'level', 1, 5);
    case 'persona': return randomString(r, 'tag', 'persona', V.personas, ['o', 'new', 'loyal', 'dor']);
    case 'churn_risk': return randomBoolean(r, 'tag', 'churn_risk');
    case 'last_campaign_at': return randomDatetime(r, 'tag', 'last_campaign_at', now - spanHours * HOUR, HOUR, spanHours);
  }
}

function randomFilter(r: SeededRandom, event: keyof typeof V.events): PropertyFilter {
  const props = V.events[event];
  const property = r.pick(Object.keys(props));
  const type = (props as Record<string, string>)[property];
  const strings: Record<string, readonly string[]> = { sku: V.skus, currency: V.currencies, page: V.pages, platform: V.platforms };
  if (r.chance(0.1)) return { property, op: presence(r) };
  if (type === 'number') {
    const pool = property === 'amount' ? V.amounts : [1, 30, 60, 120, 300];
    const op = r.pick(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'] as const);
    if (op === 'in' || op === 'not_in') return { property, op, value: r.subset(pool, 1, 3) };
    return { property, op, value: r.pick(pool) };
  }
  const pool = strings[property] ?? ['x'];
  const op = r.pick(['eq', 'ne', 'in', 'not_in', 'contains', 'mismatch'] as const);
  switch (op) {
    case 'in': case 'not_in': return { property, op, value: r.subset(pool, 1, 3) };
    case 'contains': return { property, op, value: r.pick(['SKU', '_', 'product', 'os', 'o', 'C']) };
    // A number against a string property: matches nothing, `ne` included.
    case 'mismatch': return { property, op: 'ne', value: 1 };
    default: return { property, op, value: r.pick(pool) };
  }
}

function randomCount(r: SeededRandom): EventCount {
  const op = r.pick(['gte', 'gt', 'eq', 'lt', 'lte'] as const);
  switch (op) {
    case 'gte': return { op, value: r.int(1, 4) };
    case 'gt': return { op, value: r.int(0, 3) };
    case 'eq': return { op, value: r.int(1, 3) };
    case 'lt': return { op, value: r.int(2, 5) };
    case 'lte': return { op, value: r.int(1, 4) };
  }
}

function randomRange(r: SeededRandom, now: number, spanHours: number): TimeRange {
  if (r.chance(0.5)) {
    const start = now - r.int(0, spanHours) * HOUR;
    return { kind: 'absolute', start: iso(start), end: iso(start + r.int(1, spanHours) * HOUR) };
  }
  const unit = r.pick(['minutes', 'hours', 'days'] as const);
  const last = unit === 'minutes' ? 60 * r.int(1, 48) : unit === 'hours' ? r.int(1, spanHours) : r.int(1, spanHours / 24 + 5);
  return { kind: 'relative', last, unit };
}

function randomEvent(r: SeededRandom, now: number, spanHours: number): EventCondition {
  const known = r.pick(Object.keys(V.events) as (keyof typeof V.events)[]);
  const name = r.chance(0.95) ? known : 'never_happened';
  const did = r.chance(0.75);
  const filters = name === known ? Array.from({ length: r.int(0, 2) }, () => randomFilter(r, known)) : [];
  const leaf: EventCondition = { kind: 'event', name, did, filters, timeRange: randomRange(r, now, spanHours) };
  if (did && r.chance(0.5)) leaf.count = randomCount(r);
  return leaf;
}
