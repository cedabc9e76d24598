import { describe, expect, it } from 'vitest';
import { evaluateRule, type AudienceEvent, type AudienceUser, type EvaluationContext } from './evaluate-rule';
import { parseAudienceRule, type AudienceRule } from './rule-schema';

const NOW = Date.parse('2025-06-01T04:00:00Z');
const H = 3_600_000;
const D = 24 * H;

const user: AudienceUser = {
  oneId: 'u1',
  attributes: {
    city: 'Kuala_Lumpur',
    age: 30,
    age_text: '30',
    vip: false,
    signup: '2025-05-01T00:00:00.000Z',
    interests: ['music', 'travel'],
    empty_list: [],
    nothing: null,
    date_like: '2025-05-01T00:00:00Z',
  },
  tags: { level: 3, persona: 'loyal' },
  identities: [{ type: 'email', value: 'u1@example.com' }],
};

const ev = (name: string, at: number, properties: Record<string, unknown> = {}): AudienceEvent => ({ name, at, properties });
const ctx = (events: AudienceEvent[] = [], segments: string[] = []): EvaluationContext => ({ now: NOW, events, segmentMembership: new Set(segments) });

/** Parses through the schema first, so every rule tested here is one the API would accept. */
function rule(...children: unknown[]): AudienceRule {
  const r = parseAudienceRule({ kind: 'and', children });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}
const attr = (name: string, valueType: string, op: string, value?: unknown) => ({ kind: 'attribute', name, valueType, op, value });
const holds = (leaf: unknown, c = ctx()) => evaluateRule(rule(leaf), user, c);

describe('missing values behave like SQL NULL', () => {
  it('an absent attribute matches not_exists and nothing else, ne and not_in included', () => {
    expect(holds(attr('absent', 'string', 'ne', 'x'))).toBe(false);
    expect(holds(attr('absent', 'string', 'not_in', ['x']))).toBe(false);
    expect(holds(attr('absent', 'string', 'exists'))).toBe(false);
    expect(holds(attr('absent', 'string', 'not_exists'))).toBe(true);
    expect(holds(attr('absent', 'boolean', 'is_false'))).toBe(false);
  });

  it('a null attribute is missing', () => {
    expect(holds(attr('nothing', 'string', 'ne', 'x'))).toBe(false);
    expect(holds(attr('nothing', 'number', 'not_exists'))).toBe(true);
  });

  it('a value of another type is missing: the string "30" is not the number 30', () => {
    expect(holds(attr('age_text', 'number', 'eq', 30))).toBe(false);
    expect(holds(attr('age_text', 'number', 'ne', 31))).toBe(false);
    expect(holds(attr('age_text', 'number', 'not_exists'))).toBe(true);
    expect(holds(attr('age_text', 'string', 'eq', '30'))).toBe(true);
  });

  it('an ISO date-time with a zone is a datetime, not a string (as the profile store types it)', () => {
    expect(holds(attr('date_like', 'string', 'starts_with', '2025'))).toBe(false);
    expect(holds(attr('date_like', 'datetime', 'exists'))).toBe(true);
  });

  it('an empty string list is missing (the store keeps no row for it)', () => {
    expect(holds(attr('empty_list', 'string_list', 'exists'))).toBe(false);
    expect(holds(attr('empty_list', 'string_list', 'not_exists'))).toBe(true);
  });
});

describe('typed comparisons', () => {
  it('number between is inclusive at both ends', () => {
    expect(holds(attr('age', 'number', 'between', [30, 40]))).toBe(true);
    expect(holds(attr('age', 'number', 'between', [20, 30]))).toBe(true);
    expect(holds(attr('age', 'number', 'between', [31, 40]))).toBe(false);
  });

  it('number comparisons at the boundary', () => {
    expect(holds(attr('age', 'number', 'gt', 30))).toBe(false);
    expect(holds(attr('age', 'number', 'gte', 30))).toBe(true);
    expect(holds(attr('age', 'number', 'lt', 30))).toBe(false);
    expect(holds(attr('age', 'number', 'lte', 30))).toBe(true);
    expect(holds(attr('age', 'number', 'in', [29, 30]))).toBe(true);
  });

  it('strings compare case-sensitively and take _ literally', () => {
    expect(holds(attr('city', 'string', 'eq', 'kuala_lumpur'))).toBe(false);
    expect(holds(attr('city', 'string', 'contains', 'a_L'))).toBe(true);
    expect(holds(attr('city', 'string', 'contains', 'a L'))).toBe(false);
    expect(holds(attr('city', 'string', 'starts_with', 'Kuala'))).toBe(true);
    expect(holds(attr('city', 'string', 'starts_with', 'kuala'))).toBe(false);
    expect(holds(attr('city', 'string', 'ne', 'Jakarta'))).toBe(true);
  });

  it('before and after are strict at the instant itself', () => {
    const at = '2025-05-01T08:00:00+08:00'; // the signup instant, written in another zone
    expect(holds(attr('signup', 'datetime', 'before', at))).toBe(false);
    expect(holds(attr('signup', 'datetime', 'after', at))).toBe(false);
    expect(holds(attr('signup', 'datetime', 'after', '2025-04-30T23:59:59Z'))).toBe(true);
  });

  it('datetime between includes its start and excludes its end', () => {
    expect(holds(attr('signup', 'datetime', 'between', ['2025-05-01T00:00:00Z', '2025-05-02T00:00:00Z']))).toBe(true);
    expect(holds(attr('signup', 'datetime', 'between', ['2025-04-01T00:00:00Z', '2025-05-01T00:00:00Z']))).toBe(false);
  });

  it('within_last counts back from now with 24-hour days, start inclusive', () => {
    const signupDaysAgo = (NOW - Date.parse('2025-05-01T00:00:00Z')) / D; // 31 days and 4 hours
    expect(holds(attr('signup', 'datetime', 'within_last', { amount: 31, unit: 'days' }))).toBe(false);
    expect(holds(attr('signup', 'datetime', 'within_last', { amount: signupDaysAgo * 24, unit: 'hours' }))).toBe(true);
    expect(holds(attr('signup', 'datetime', 'within_last', { amount: signupDaysAgo * 24 - 1, unit: 'hours' }))).toBe(false);
  });

  it('a future datetime is never within_last', () => {
    const future = { ...user, attributes: { ...user.attributes, signup: '2025-06-01T04:00:00.000Z' } };
    const leaf = rule(attr('signup', 'datetime', 'within_last', { amount: 1, unit: 'days' }));
    expect(evaluateRule(leaf, future, ctx())).toBe(false);
  });

  it('booleans: false is_false, not is_true', () => {
    expect(holds(attr('vip', 'boolean', 'is_false'))).toBe(true);
    expect(holds(attr('vip', 'boolean', 'is_true'))).toBe(false);
  });

  it('string lists: contains, contains_any, contains_all', () => {
    expect(holds(attr('interests', 'string_list', 'contains', 'music'))).toBe(true);
    expect(holds(attr('interests', 'string_list', 'contains_any', ['food', 'travel']))).toBe(true);
    expect(holds(attr('interests', 'string_list', 'contains_all', ['music', 'food']))).toBe(false);
    expect(holds(attr('interests', 'string_list', 'contains_all', ['travel', 'music']))).toBe(true);
  });

  it('tags use the same typed comparisons', () => {
    expect(holds({ kind: 'tag', name: 'level', valueType: 'number', op: 'eq', value: 3 })).toBe(true);
    expect(holds({ kind: 'tag', name: 'level', valueType: 'string', op: 'eq', value: '3' })).toBe(false);
    expect(holds({ kind: 'tag', name: 'persona', valueType: 'string', op: 'in', value: ['loyal', 'new'] })).toBe(true);
  });
});

describe('event conditions', () => {
  const purchase = (extra: Record<string, unknown> = {}) => ({ kind: 'event', name: 'purchase', did: true, timeRange: { kind: 'relative', last: 1, unit: 'days' }, ...extra });

  it('a relative range includes its start (now − 1 day) and excludes now', () => {
    expect(holds(purchase(), ctx([ev('purchase', NOW - D)]))).toBe(true);
    expect(holds(purchase(), ctx([ev('purchase', NOW - D - 1)]))).toBe(false);
    expect(holds(purchase(), ctx([ev('purchase', NOW)]))).toBe(false);
    expect(holds(purchase(), ctx([ev('purchase', NOW - 1)]))).toBe(true);
  });

  it('an absolute range includes its start and excludes its end', () => {
    const timeRange = { kind: 'absolute', start: '2025-05-01T00:00:00+08:00', end: '2025-05-02T00:00:00+08:00' };
    const start = Date.parse(timeRange.start);
    expect(holds(purchase({ timeRange }), ctx([ev('purchase', start)]))).toBe(true);
    expect(holds(purchase({ timeRange }), ctx([ev('purchase', start + D)]))).toBe(false);
  });

  it('did without a count needs one event; did not needs none in the range', () => {
    expect(holds(purchase(), ctx([]))).toBe(false);
    expect(holds(purchase({ did: false }), ctx([]))).toBe(true);
    expect(holds(purchase({ did: false }), ctx([ev('purchase', NOW - H)]))).toBe(false);
    expect(holds(purchase({ did: false }), ctx([ev('purchase', NOW - 2 * D)]))).toBe(true);
  });

  it('a count compares the number of matching events, and did always needs at least one', () => {
    const two = [ev('purchase', NOW - H), ev('purchase', NOW - 2 * H)];
    expect(holds(purchase({ count: { op: 'gte', value: 2 } }), ctx(two))).toBe(true);
    expect(holds(purchase({ count: { op: 'gte', value: 3 } }), ctx(two))).toBe(false);
    expect(holds(purchase({ count: { op: 'eq', value: 2 } }), ctx(two))).toBe(true);
    expect(holds(purchase({ count: { op: 'lt', value: 2 } }), ctx(two))).toBe(false);
    expect(holds(purchase({ count: { op: 'lt', value: 3 } }), ctx([]))).toBe(false);
  });

  it('only events of that exact name and matching every filter count', () => {
    const events = [ev('Purchase', NOW - H, { amount: 500 }), ev('purchase', NOW - H, { amount: 5 }), ev('purchase', NOW - H, { amount: '500' })];
    expect(holds(purchase({ filters: [{ property: 'amount', op: 'gte', value: 100 }] }), ctx(events))).toBe(false);
    expect(holds(purchase({ filters: [{ property: 'amount', op: 'lt', value: 100 }] }), ctx(events))).toBe(true);
  });
});

describe('segments, identities and groups', () => {
  it('segment membership comes from the context; unknown segments have no members', () => {
    expect(holds({ kind: 'segment', segmentId: 's1', member: true }, ctx([], ['s1']))).toBe(true);
    expect(holds({ kind: 'segment', segmentId: 's2', member: true }, ctx([], ['s1']))).toBe(false);
    expect(holds({ kind: 'segment', segmentId: 's2', member: false }, ctx([], ['s1']))).toBe(true);
  });

  it('identity has / has not', () => {
    expect(holds({ kind: 'identity', type: 'email', has: true })).toBe(true);
    expect(holds({ kind: 'identity', type: 'whatsapp', has: true })).toBe(false);
    expect(holds({ kind: 'identity', type: 'whatsapp', has: false })).toBe(true);
  });

  it('an empty and matches everyone, an empty or no one', () => {
    expect(evaluateRule({ kind: 'and', children: [] }, user, ctx())).toBe(true);
    expect(evaluateRule({ kind: 'or', children: [] }, user, ctx())).toBe(false);
  });

  it('and needs every child, or any child', () => {
    const yes = attr('age', 'number', 'eq', 30);
    const no = attr('age', 'number', 'eq', 31);
    expect(evaluateRule(rule({ kind: 'or', children: [no, yes] }), user, ctx())).toBe(true);
    expect(evaluateRule(rule(yes, no), user, ctx())).toBe(false);
    expect(evaluateRule(rule(yes, { kind: 'or', children: [no, { kind: 'and', children: [yes] }] }), user, ctx())).toBe(true);
  });
});
