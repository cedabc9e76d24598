import { describe, expect, it } from 'vitest';
import { AUDIENCE_RULE_LIMITS, parseAudienceRule } from './rule-schema';

const city = (value: unknown) => ({ kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value });
const nest = (levels: number, leaf: unknown): unknown =>
  levels === 0 ? leaf : { kind: 'and', children: [nest(levels - 1, leaf)] };
const paths = (r: ReturnType<typeof parseAudienceRule>) => (r.ok ? [] : r.error.map((e) => e.path));

describe('audience rule limits', () => {
  it('accepts groups nested exactly 5 levels deep', () => {
    expect(parseAudienceRule(nest(5, city('Shanghai'))).ok).toBe(true);
  });

  it('refuses a 6th level of groups, naming where it starts', () => {
    const r = parseAudienceRule(nest(6, city('Shanghai')));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toHaveLength(1);
      expect(r.error[0]?.path).toBe('children.0.children.0.children.0.children.0.children.0.kind');
      expect(r.error[0]?.message).toMatch(/at most 5 levels/);
    }
  });

  it('refuses absurdly deep input without recursing into it', () => {
    expect(parseAudienceRule(nest(5000, city('x'))).ok).toBe(false);
  });

  it('accepts 50 leaves and refuses 51', () => {
    const rule = (n: number) => ({ kind: 'or', children: [{ kind: 'and', children: Array.from({ length: n - 1 }, () => city('x')) }, city('y')] });
    expect(parseAudienceRule(rule(AUDIENCE_RULE_LIMITS.maxLeaves)).ok).toBe(true);
    const r = parseAudienceRule(rule(51));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]?.message).toMatch(/at most 50 conditions \(this one has 51\)/);
  });

  it('accepts an in-list of 1000 values and refuses 1001', () => {
    const leaf = (n: number) => ({ kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'in', value: Array.from({ length: n }, (_, i) => `c${i}`) }] });
    expect(parseAudienceRule(leaf(1000)).ok).toBe(true);
    expect(paths(parseAudienceRule(leaf(1001)))).toEqual(['children.0.value']);
  });

  it('accepts a 500-character string and refuses 501, with the field path', () => {
    const rule = (s: string) => ({ kind: 'and', children: [{ kind: 'or', children: [city('a'), city('b'), city(s)] }] });
    expect(parseAudienceRule(rule('x'.repeat(500))).ok).toBe(true);
    expect(paths(parseAudienceRule(rule('x'.repeat(501))))).toEqual(['children.0.children.2.value']);
  });

  it('lets the root be empty but not a nested group', () => {
    expect(parseAudienceRule({ kind: 'and', children: [] }).ok).toBe(true);
    expect(paths(parseAudienceRule({ kind: 'and', children: [{ kind: 'or', children: [] }] }))).toEqual(['children.0.children']);
  });

  it('prefixes paths for the caller', () => {
    const r = parseAudienceRule({ kind: 'and', children: [city(5)] }, 'audience.rule');
    expect(paths(r)).toEqual(['audience.rule.children.0.value']);
  });
});

describe('typed conditions', () => {
  const one = (leaf: unknown) => parseAudienceRule({ kind: 'and', children: [leaf] });

  it('refuses an operator the value type does not have', () => {
    expect(paths(one({ kind: 'attribute', name: 'vip', valueType: 'boolean', op: 'gt', value: 1 }))).toEqual(['children.0.op']);
    expect(paths(one({ kind: 'attribute', name: 'age', valueType: 'number', op: 'contains', value: '1' }))).toEqual(['children.0.op']);
  });

  it('refuses string lists on tags (the profile store keeps tags scalar)', () => {
    expect(paths(one({ kind: 'tag', name: 'badges', valueType: 'string_list', op: 'contains', value: 'x' }))).toEqual(['children.0.valueType']);
  });

  it('accepts number between with equal bounds and refuses reversed bounds', () => {
    expect(one({ kind: 'attribute', name: 'age', valueType: 'number', op: 'between', value: [30, 30] }).ok).toBe(true);
    expect(paths(one({ kind: 'attribute', name: 'age', valueType: 'number', op: 'between', value: [31, 30] }))).toEqual(['children.0.value.1']);
  });

  it('needs datetimes with a zone, and between with the end after the start', () => {
    expect(one({ kind: 'attribute', name: 'signup', valueType: 'datetime', op: 'before', value: '2025-03-01T00:00:00+08:00' }).ok).toBe(true);
    expect(paths(one({ kind: 'attribute', name: 'signup', valueType: 'datetime', op: 'before', value: '2025-03-01T00:00:00' }))).toEqual(['children.0.value']);
    expect(paths(one({ kind: 'attribute', name: 'signup', valueType: 'datetime', op: 'between', value: ['2025-03-01T00:00:00Z', '2025-03-01T00:00:00Z'] }))).toEqual(['children.0.value.1']);
  });

  it('accepts exists and not_exists on every value type', () => {
    for (const valueType of ['string', 'number', 'boolean', 'datetime', 'string_list']) {
      expect(one({ kind: 'attribute', name: 'a', valueType, op: 'not_exists' }).ok).toBe(true);
    }
  });
});

describe('event conditions', () => {
  const event = (extra: Record<string, unknown>) =>
    parseAudienceRule({ kind: 'and', children: [{ kind: 'event', name: 'purchase', did: true, timeRange: { kind: 'relative', last: 7, unit: 'days' }, ...extra }] });

  it('defaults filters to none', () => {
    const r = event({});
    expect(r.ok && r.value.children[0]).toMatchObject({ filters: [] });
  });

  it('refuses a count with did: false', () => {
    expect(paths(event({ did: false, count: { op: 'gte', value: 2 } }))).toEqual(['children.0.count']);
  });

  it('refuses a count only zero events can meet, and accepts the smallest one that one event meets', () => {
    expect(paths(event({ count: { op: 'lt', value: 1 } }))).toEqual(['children.0.count.value']);
    expect(paths(event({ count: { op: 'eq', value: 0 } }))).toEqual(['children.0.count.value']);
    expect(paths(event({ count: { op: 'lte', value: 0 } }))).toEqual(['children.0.count.value']);
    expect(event({ count: { op: 'lt', value: 2 } }).ok).toBe(true);
    expect(event({ count: { op: 'gt', value: 0 } }).ok).toBe(true);
  });

  it('refuses an absolute range whose end is not after its start', () => {
    const at = '2025-03-01T00:00:00Z';
    expect(paths(event({ timeRange: { kind: 'absolute', start: at, end: at } }))).toEqual(['children.0.timeRange.end']);
  });

  it('refuses a relative range longer than 3660 days', () => {
    expect(event({ timeRange: { kind: 'relative', last: 3660, unit: 'days' } }).ok).toBe(true);
    expect(paths(event({ timeRange: { kind: 'relative', last: 3661, unit: 'days' } }))).toEqual(['children.0.timeRange.last']);
  });

  it('validates property filters by path', () => {
    expect(paths(event({ filters: [{ property: 'amount', op: 'gt', value: 10 }, { property: 'sku', op: 'gt', value: 'A' }] }))).toEqual(['children.0.filters.1.value']);
    expect(paths(event({ filters: [{ property: 'sku', op: 'in', value: [] }] }))).toEqual(['children.0.filters.0.value']);
  });
});
