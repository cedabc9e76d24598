import { describe, expect, it } from 'vitest';
import { AUDIENCE_FIXTURE_NOW, fixtureContext, generateAudienceFixture } from './audience-fixture';
import { evaluateRule } from './evaluate-rule';
import { generateRandomRule } from './random-rule';
import { countLeaves, isConditionGroup, parseAudienceRule, type AudienceCondition } from './rule-schema';

const depthOf = (c: AudienceCondition): number => (isConditionGroup(c) ? 1 + Math.max(0, ...c.children.map(depthOf)) : 0);

describe('audience fixture', () => {
  it('is the same for the same seed and different for another', () => {
    const a = generateAudienceFixture(7, { users: 50, eventsPerUser: 5 });
    expect(generateAudienceFixture(7, { users: 50, eventsPerUser: 5 })).toEqual(a);
    expect(generateAudienceFixture(8, { users: 50, eventsPerUser: 5 }).users).not.toEqual(a.users);
  });

  it('covers the awkward cases the SQL compiler must agree on', () => {
    const f = generateAudienceFixture(1, { users: 400, eventsPerUser: 8 });
    expect(f.users).toHaveLength(400);
    expect(f.users.some((u) => !('city' in u.attributes))).toBe(true);
    expect(f.users.some((u) => u.attributes.city === null)).toBe(true);
    expect(f.users.some((u) => typeof u.attributes.age === 'string')).toBe(true);
    expect(f.users.some((u) => Array.isArray(u.attributes.interests) && u.attributes.interests.length === 0)).toBe(true);
    expect(f.users.some((u) => !u.identities.some((i) => i.type === 'whatsapp'))).toBe(true);
    expect(f.users.some((u) => u.timezone === null)).toBe(true);
    expect(f.users.some((u) => (f.eventsByUser.get(u.oneId) ?? []).length === 0)).toBe(true);
    expect(f.events.some((e) => e.at === f.now)).toBe(true);
    expect(f.events.every((e) => e.at >= f.spanStart && e.at <= f.now && e.at % 3_600_000 === 0)).toBe(true);
    expect(new Set(f.events.map((e) => e.name))).toEqual(new Set(['purchase', 'view_page', 'app_open']));
    expect(f.events.some((e) => e.name === 'purchase' && e.properties.amount === null)).toBe(true);
    expect(f.events.some((e) => e.name === 'view_page' && typeof e.properties.duration === 'string')).toBe(true);
    expect(f.events.length).toBe([...f.eventsByUser.values()].reduce((n, l) => n + l.length, 0));
    for (const s of f.segments) {
      for (const id of s.members) expect(f.membershipByUser.get(id)?.has(s.segmentId)).toBe(true);
    }
  });

  it('defaults now to the fixture instant', () => {
    expect(generateAudienceFixture(1, { users: 1, eventsPerUser: 1 }).now).toBe(AUDIENCE_FIXTURE_NOW);
  });
});

describe('random rules', () => {
  it('are valid for every seed and depth, within the depth asked and the leaf limit', () => {
    for (let seed = 0; seed < 400; seed++) {
      const depth = 1 + (seed % 5);
      const rule = generateRandomRule(seed, { depth });
      const parsed = parseAudienceRule(rule);
      if (!parsed.ok) throw new Error(`seed ${seed}: ${JSON.stringify(parsed.error)}`);
      expect(parsed.value).toEqual(rule);
      expect(depthOf(rule)).toBeLessThanOrEqual(depth);
      expect(countLeaves(rule)).toBeGreaterThanOrEqual(1);
      expect(countLeaves(rule)).toBeLessThanOrEqual(50);
    }
  });

  it('are the same for the same seed', () => {
    expect(generateRandomRule(42, { depth: 4 })).toEqual(generateRandomRule(42, { depth: 4 }));
  });

  it('reach the deepest level and the leaf limit when asked for wide deep rules', () => {
    const rules = Array.from({ length: 50 }, (_, s) => generateRandomRule(s, { depth: 5, maxChildren: 6 }));
    expect(Math.max(...rules.map(depthOf))).toBe(5);
    expect(Math.max(...rules.map(countLeaves))).toBe(50);
  });

  it('split the fixture: most rules match some profiles but not all', () => {
    const f = generateAudienceFixture(3, { users: 200, eventsPerUser: 10 });
    let split = 0;
    const rules = 200;
    for (let seed = 0; seed < rules; seed++) {
      const rule = generateRandomRule(seed, { depth: 1 + (seed % 3), maxChildren: 2 });
      const matched = f.users.filter((u) => evaluateRule(rule, u, fixtureContext(f, u.oneId))).length;
      if (matched > 0 && matched < f.users.length) split++;
    }
    expect(split / rules).toBeGreaterThan(0.4);
  });

  it('put event range boundaries on event times often enough to test them', () => {
    const f = generateAudienceFixture(5, { users: 100, eventsPerUser: 20 });
    const times = new Set(f.events.map((e) => e.at));
    let onBoundary = 0;
    for (let seed = 0; seed < 300; seed++) {
      const stack: AudienceCondition[] = [generateRandomRule(seed, { depth: 2 })];
      while (stack.length) {
        const c = stack.pop()!;
        if (isConditionGroup(c)) stack.push(...c.children);
        else if (c.kind === 'event' && c.timeRange.kind === 'absolute' && times.has(Date.parse(c.timeRange.start))) onBoundary++;
      }
    }
    expect(onBoundary).toBeGreaterThan(20);
  });
});
