import { describe, expect, it } from 'vitest';
import { matchPropertyFilter, matchPropertyFilters, type PropertyFilter } from './property-filter';

const props = { amount: 99, sku: 'SKU_3', vip: true, note: null, tags: ['a'], nested: { x: 1 }, count: '5' };
const m = (f: PropertyFilter) => matchPropertyFilter(f, props);

describe('property filters', () => {
  it('compares numbers at the boundary: gt excludes it, gte includes it', () => {
    expect(m({ property: 'amount', op: 'gt', value: 99 })).toBe(false);
    expect(m({ property: 'amount', op: 'gte', value: 99 })).toBe(true);
    expect(m({ property: 'amount', op: 'lt', value: 99 })).toBe(false);
    expect(m({ property: 'amount', op: 'lte', value: 99 })).toBe(true);
  });

  it('an absent or null property matches only not_exists — ne and not_in included, as SQL NULL', () => {
    for (const property of ['missing', 'note']) {
      expect(m({ property, op: 'ne', value: 'x' })).toBe(false);
      expect(m({ property, op: 'not_in', value: ['x'] })).toBe(false);
      expect(m({ property, op: 'exists' })).toBe(false);
      expect(m({ property, op: 'not_exists' })).toBe(true);
    }
  });

  it('a value of another type than the filter matches nothing: the string "5" is not the number 5', () => {
    expect(m({ property: 'count', op: 'eq', value: 5 })).toBe(false);
    expect(m({ property: 'count', op: 'ne', value: 5 })).toBe(false);
    expect(m({ property: 'count', op: 'gt', value: 1 })).toBe(false);
    expect(m({ property: 'count', op: 'in', value: [5] })).toBe(false);
    expect(m({ property: 'count', op: 'eq', value: '5' })).toBe(true);
    expect(m({ property: 'amount', op: 'not_in', value: ['99'] })).toBe(false);
  });

  it('arrays and objects only exist', () => {
    expect(m({ property: 'tags', op: 'exists' })).toBe(true);
    expect(m({ property: 'tags', op: 'contains', value: 'a' })).toBe(false);
    expect(m({ property: 'nested', op: 'eq', value: 'x' })).toBe(false);
  });

  it('contains is case-sensitive and takes % and _ literally', () => {
    expect(m({ property: 'sku', op: 'contains', value: 'SKU_' })).toBe(true);
    expect(m({ property: 'sku', op: 'contains', value: 'sku' })).toBe(false);
    expect(m({ property: 'sku', op: 'contains', value: 'SKU%' })).toBe(false);
  });

  it('booleans compare with booleans', () => {
    expect(m({ property: 'vip', op: 'eq', value: true })).toBe(true);
    expect(m({ property: 'vip', op: 'ne', value: false })).toBe(true);
    expect(m({ property: 'vip', op: 'eq', value: 'true' })).toBe(false);
  });

  it('in and not_in test membership for a value of the list type', () => {
    expect(m({ property: 'sku', op: 'in', value: ['SKU_3', 'SKU-1'] })).toBe(true);
    expect(m({ property: 'sku', op: 'not_in', value: ['SKU-1'] })).toBe(true);
    expect(m({ property: 'amount', op: 'in', value: [98, 99] })).toBe(true);
  });

  it('a key inherited from the prototype is not a property', () => {
    expect(matchPropertyFilter({ property: 'toString', op: 'exists' }, {})).toBe(false);
  });

  it('all filters must match; none match every event', () => {
    expect(matchPropertyFilters([], {})).toBe(true);
    expect(matchPropertyFilters([{ property: 'amount', op: 'gte', value: 50 }, { property: 'sku', op: 'eq', value: 'SKU_3' }], props)).toBe(true);
    expect(matchPropertyFilters([{ property: 'amount', op: 'gte', value: 50 }, { property: 'sku', op: 'eq', value: 'x' }], props)).toBe(false);
  });
});
