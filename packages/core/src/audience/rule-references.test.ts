import { describe, expect, it } from 'vitest';
import { ruleEventNames, ruleReferences } from './rule-references';
import type { AudienceRule } from './rule-schema';

const rule: AudienceRule = {
  kind: 'and',
  children: [
    { kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value: 'Shanghai' },
    { kind: 'tag', name: 'level', valueType: 'number', op: 'gte', value: 3 },
    {
      kind: 'or',
      children: [
        { kind: 'event', name: 'purchase', did: true, filters: [], timeRange: { kind: 'absolute', start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' } },
        { kind: 'event', name: 'app_open', did: false, filters: [], timeRange: { kind: 'absolute', start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' } },
        { kind: 'event', name: 'purchase', did: false, filters: [], timeRange: { kind: 'absolute', start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' } },
        { kind: 'segment', segmentId: 'seg_b', member: true },
        { kind: 'segment', segmentId: 'seg_a', member: false },
        { kind: 'identity', type: 'whatsapp', has: true },
        { kind: 'attribute', name: 'city', valueType: 'string', op: 'exists' },
      ],
    },
  ],
};

describe('rule references', () => {
  it('lists what a rule reads, sorted and once each', () => {
    expect(ruleReferences(rule)).toEqual({
      attributes: ['city'],
      tags: ['level'],
      events: ['app_open', 'purchase'],
      segments: ['seg_a', 'seg_b'],
      identityTypes: ['whatsapp'],
      timeDependent: false,
    });
    expect(ruleEventNames(rule)).toEqual(['app_open', 'purchase']);
  });

  it('a relative event range makes a rule time-dependent', () => {
    const r: AudienceRule = { kind: 'and', children: [{ kind: 'event', name: 'x', did: true, filters: [], timeRange: { kind: 'relative', last: 1, unit: 'hours' } }] };
    expect(ruleReferences(r).timeDependent).toBe(true);
  });

  it('within_last makes a rule time-dependent, on tags too', () => {
    const r: AudienceRule = { kind: 'or', children: [{ kind: 'tag', name: 't', valueType: 'datetime', op: 'within_last', value: { amount: 2, unit: 'days' } }] };
    expect(ruleReferences(r).timeDependent).toBe(true);
  });

  it('an empty rule reads nothing', () => {
    expect(ruleReferences({ kind: 'and', children: [] })).toEqual({ attributes: [], tags: [], events: [], segments: [], identityTypes: [], timeDependent: false });
  });
});
